// Reading a drop file's stream range after range from one long answer (drops/range-reader.js):
// consecutive ranges come from one request, read into the memory they are given; a range
// elsewhere asks again; and a server that ignores Range or answers short still gives the bytes.
import assert from "node:assert/strict";
import { test } from "node:test";

import { createRangeReader } from "../../Public/js/drops/range-reader.js";

const stream = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31 + (i >> 8)) % 256);

/**
 * A server of `stream` answering byte streams in chunks of `chunk` bytes; `status` 200 ignores
 * Range; `cap` answers at most that many bytes (a 206 that says so in its Content-Length).
 */
function server({ status = 206, chunk = 700, cap = Infinity } = {}) {
  const asked = [];
  const cancelled = [];
  return {
    asked,
    cancelled,
    async request(start, end) {
      asked.push([start, end]);
      const [from, to] = status === 200 ? [0, stream.length] : [start, Math.min(end, start + cap)];
      let at = from;
      const body = new ReadableStream({
        type: "bytes",
        pull(controller) {
          if (at >= to) {
            controller.close();
            controller.byobRequest?.respond(0);
            return;
          }
          const next = Math.min(to, at + chunk);
          controller.enqueue(stream.slice(at, next));
          at = next;
        },
        cancel() {
          cancelled.push([start, end]);
        },
      });
      return new Response(body, { status, headers: { "Content-Length": String(to - from) } });
    },
  };
}

test("consecutive ranges come from one answer, read into the memory given", async () => {
  const source = server();
  const ranges = createRangeReader({ request: source.request, length: stream.length });
  let memory = new ArrayBuffer(3000);
  const got = [];
  for (let start = 0; start < stream.length; start += 3000) {
    const end = Math.min(stream.length, start + 3000);
    const bytes = await ranges.read(start, end, memory);
    assert.equal(bytes.buffer.byteLength, 3000, "the same memory, handed on");
    assert.equal(memory.byteLength, 0, "the memory given is detached");
    got.push(bytes.slice());
    memory = bytes.buffer;
  }
  ranges.close();
  assert.deepEqual(new Uint8Array(Buffer.concat(got)), stream);
  assert.deepEqual(source.asked, [[0, stream.length]]);
});

test("a range elsewhere asks again from there; one without memory asks for itself alone", async () => {
  const source = server();
  const ranges = createRangeReader({ request: source.request, length: stream.length });
  assert.deepEqual(await ranges.read(0, 21), stream.subarray(0, 21));
  assert.deepEqual(await ranges.read(4021, 6021, new ArrayBuffer(2000)), stream.subarray(4021, 6021));
  assert.deepEqual(await ranges.read(6021, 8021, new ArrayBuffer(2000)), stream.subarray(6021, 8021));
  // The record cut in two, asked for again: a new answer, the one before ended.
  assert.deepEqual(await ranges.read(7000, 9000, new ArrayBuffer(2000)), stream.subarray(7000, 9000));
  // Memory too small (or detached after a failure): fresh memory instead.
  assert.deepEqual(await ranges.read(9000, 10_000, new ArrayBuffer(0)), stream.subarray(9000));
  ranges.close();
  assert.deepEqual(source.asked, [[0, 21], [4021, stream.length], [7000, stream.length]]);
  // Each answer left unfinished is cancelled: the one dropped, and the last one on close.
  assert.deepEqual(source.cancelled, [[4021, stream.length], [7000, stream.length]]);
});

test("a range that crosses an answer's end is finished from the next answer", async () => {
  // A server that answers less than asked (and says so): the rest comes from a new request.
  const capped = server({ cap: 2500 });
  const ranges = createRangeReader({ request: capped.request, length: stream.length });
  const first = await ranges.read(0, 2000, new ArrayBuffer(2000));
  assert.deepEqual(first, stream.subarray(0, 2000));
  assert.deepEqual(await ranges.read(2000, 4000, first.buffer), stream.subarray(2000, 4000));
  ranges.close();
  assert.deepEqual(capped.asked, [[0, stream.length], [2500, stream.length]]);
  // Answers bounded here: each asks for at most answerBytes.
  const source = server();
  const bounded = createRangeReader({ request: source.request, length: stream.length, answerBytes: 2500 });
  const got = [];
  let memory = new ArrayBuffer(3000);
  for (let start = 0; start < stream.length; start += 3000) {
    const bytes = await bounded.read(start, Math.min(stream.length, start + 3000), memory);
    got.push(bytes.slice());
    memory = bytes.buffer;
  }
  bounded.close();
  assert.deepEqual(new Uint8Array(Buffer.concat(got)), stream);
  assert.deepEqual(source.asked, [[0, 2500], [2500, 5000], [5000, 7500], [7500, 10_000]]);
});

test("an answer with no length told is read to its end, then the next asked for", async () => {
  const source = server();
  const request = async (start, end) => {
    const answer = await source.request(start, end);
    return new Response(answer.body, { status: 206 }); // no Content-Length
  };
  const ranges = createRangeReader({ request, length: stream.length, answerBytes: 2500 });
  const got = [];
  for (let start = 0; start < stream.length; start += 3000) {
    got.push((await ranges.read(start, Math.min(stream.length, start + 3000), new ArrayBuffer(3000))).slice());
  }
  ranges.close();
  assert.deepEqual(new Uint8Array(Buffer.concat(got)), stream);
});

test("a server that ignores Range: every range asked for alone, its bytes cut out", async () => {
  const source = server({ status: 200 });
  const ranges = createRangeReader({ request: source.request, length: stream.length });
  assert.deepEqual(await ranges.read(0, 3000, new ArrayBuffer(3000)), stream.subarray(0, 3000));
  assert.deepEqual(await ranges.read(3000, 6000, new ArrayBuffer(3000)), stream.subarray(3000, 6000));
  ranges.close();
  assert.deepEqual(source.asked, [[0, stream.length], [0, 3000], [3000, 6000]]);
});

test("an answer that fails in its body fails the read as no answer would (status 0); the next read asks again", async () => {
  const source = server();
  let fail = true;
  const request = async (start, end) => {
    if (!fail) return source.request(start, end);
    fail = false;
    let sent = false;
    const body = new ReadableStream({
      type: "bytes",
      pull(controller) {
        if (sent) {
          controller.error(new TypeError("network"));
          return;
        }
        sent = true;
        controller.enqueue(stream.slice(0, 100));
      },
    });
    return new Response(body, { status: 206, headers: { "Content-Length": String(stream.length) } });
  };
  const ranges = createRangeReader({ request, length: stream.length });
  const memory = new ArrayBuffer(3000);
  await assert.rejects(ranges.read(0, 3000, memory), (error) => error.status === 0 && error.cause instanceof TypeError);
  assert.deepEqual(await ranges.read(0, 3000, memory), stream.subarray(0, 3000));
  ranges.close();
  assert.deepEqual(source.asked, [[0, stream.length]]);
});
