// Test helpers for the HTTP layer: a recording fetch, and the ApiProblem a call must reject with.
import assert from "node:assert/strict";

import { ApiProblem } from "../../Public/js/http.js";

/** A fetch that records its calls and answers with `answer(url, init)`. */
export function fakeFetch(answer = () => new Response(null, { status: 204 })) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url, init });
    return answer(url, init);
  };
  return { fetch, calls };
}

/** Runs `work` and returns the ApiProblem it must reject with. */
export async function problemOf(work) {
  try {
    await work();
  } catch (error) {
    assert.ok(error instanceof ApiProblem, `expected an ApiProblem, got ${error}`);
    return error;
  }
  assert.fail("expected an ApiProblem");
}
