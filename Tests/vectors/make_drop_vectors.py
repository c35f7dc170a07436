"""Writes Tests/vectors/drops.json: the drop format's test vectors (docs/DROPS.md), computed with
Python's `cryptography`, an implementation independent of the JavaScript and Swift ones that
check them. Fixed inputs, so running it again gives the same file. Usage: make_drop_vectors.py"""

from __future__ import annotations

import base64
import hashlib
import json
import struct
import unicodedata
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

OUT = Path(__file__).resolve().parent / "drops.json"
SALT = b"ferry-drop/v1"
RECORD_SIZE = 65_553  # 64 KiB of plaintext + delimiter + tag
PLAINTEXT_PER_RECORD = RECORD_SIZE - 17
AAD = b"ferry-drop/v1 metadata"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hkdf(salt: bytes, ikm: bytes, info: bytes, length: int) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def drop_keys(secret: bytes, password: str | None, password_salt: bytes | None, iterations: int) -> dict:
    ikm = secret
    if password is not None:
        normalized = unicodedata.normalize("NFC", password).encode()
        ikm += PBKDF2HMAC(algorithm=hashes.SHA256(), length=32, salt=password_salt, iterations=iterations).derive(normalized)
    proof = hkdf(SALT, ikm, b"ferry-drop/v1 proof", 32)
    return {
        "contentIKM": hkdf(SALT, ikm, b"ferry-drop/v1 content", 16).hex(),
        "metadataKey": hkdf(SALT, ikm, b"ferry-drop/v1 metadata", 16).hex(),
        "proofToken": proof.hex(),
        "proofVerifier": hashlib.sha256(proof).hexdigest(),
    }


def ece_encrypt(ikm: bytes, salt: bytes, plaintext: bytes, rs: int = RECORD_SIZE) -> bytes:
    """RFC 8188 aes128gcm, no keyid, no padding, records of rs - 17 plaintext bytes."""
    cek = hkdf(salt, ikm, b"Content-Encoding: aes128gcm\0", 16)
    base = int.from_bytes(hkdf(salt, ikm, b"Content-Encoding: nonce\0", 12), "big")
    aead = AESGCM(cek)
    out = bytearray(salt + struct.pack(">I", rs) + b"\0")
    per = rs - 17
    count = max(1, -(-len(plaintext) // per))
    for index in range(count):
        piece = plaintext[index * per:(index + 1) * per]
        delimiter = b"\x02" if index == count - 1 else b"\x01"
        nonce = (base ^ index).to_bytes(12, "big")
        out += aead.encrypt(nonce, piece + delimiter, None)
    return bytes(out)


def pattern(length: int) -> bytes:
    return bytes(n % 251 for n in range(length))


def seal_metadata(key: bytes, nonce: bytes, document: dict) -> tuple[str, bytes]:
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False)
    body = text.encode()
    size = 1024
    while size < 4 + len(body):
        size *= 2
    plaintext = struct.pack(">I", len(body)) + body + bytes(size - 4 - len(body))
    return text, nonce + AESGCM(key).encrypt(nonce, plaintext, AAD)


def main() -> None:
    secret = bytes(range(16))
    keys = [
        {"secret": b64u(secret), "password": None, **drop_keys(secret, None, None, 0)},
        {"secret": b64u(secret), "password": "correct horse battery staple", "passwordSalt": b64u(bytes(range(100, 116))),
         "iterations": 600_000,
         **drop_keys(secret, "correct horse battery staple", bytes(range(100, 116)), 600_000)},
        # "é" typed as e + combining acute (NFD): the same key as the composed form.
        {"secret": b64u(bytes(range(200, 216))), "password": "caf\u0065\u0301", "passwordSalt": b64u(bytes(16)),
         "iterations": 600_000, **drop_keys(bytes(range(200, 216)), "café", bytes(16), 600_000)},
    ]
    content_ikm = bytes.fromhex(keys[0]["contentIKM"])
    content = []
    for name, length in [("empty", 0), ("short text", 15), ("one full record", PLAINTEXT_PER_RECORD),
                         ("three records, the last partial", 2 * PLAINTEXT_PER_RECORD + 1000)]:
        salt = hashlib.sha256(name.encode()).digest()[:16]
        encoded = ece_encrypt(content_ikm, salt, pattern(length))
        case = {"name": name, "contentIKM": content_ikm.hex(), "salt": b64u(salt), "plaintextLength": length,
                "encodedLength": len(encoded), "encodedSha256": hashlib.sha256(encoded).hexdigest()}
        if len(encoded) <= 256:
            case["encoded"] = b64u(encoded)
        content.append(case)
    metadata_key = bytes.fromhex(keys[0]["metadataKey"])
    documents = [
        {"v": 1, "kind": "files", "files": [{"path": "notes/plan.txt", "type": "text/plain", "size": 15,
                                             "salt": content[1]["salt"]}]},
        {"v": 1, "kind": "text", "text": "Ferry — the link is the key. " * 40},
    ]
    metadata = []
    for index, document in enumerate(documents):
        nonce = bytes([index]) * 12
        text, sealed = seal_metadata(metadata_key, nonce, document)
        metadata.append({"metadataKey": metadata_key.hex(), "nonce": b64u(nonce), "json": text,
                         "sealedLength": len(sealed), "sealed": b64u(sealed)})
    rfc8188 = [
        {"section": "3.1", "ikm": "yqdlZ-tYemfogSmv7Ws5PQ", "plaintext": "I am the walrus", "recordSize": 4096,
         "salt": "I1BsxtFttlv3u_Oo94xnmw",
         "encoded": "I1BsxtFttlv3u_Oo94xnmwAAEAAA-NAVub2qFgBEuQKRapoZu-IxkIva3MEB1PD-ly8Thjg"},
        {"section": "3.2", "ikm": "BO3ZVPxUlnLORbVGMpbT1Q", "plaintext": "I am the walrus", "recordSize": 25,
         "keyid": "a1",
         "encoded": "uNCkWiNYzKTnBN9ji3-qWAAAABkCYTHOG8chz_gnvgOqdGYovxyjuqRyJFjEDyoF1Fvkj6hQPdPHI51OEUKEpgz3SsLWIqS_uA"},
    ]
    # The RFC's first example, reproduced here, checks this generator itself.
    first = rfc8188[0]
    unb = lambda s: base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))  # noqa: E731
    assert b64u(ece_encrypt(unb(first["ikm"]), unb(first["salt"]), first["plaintext"].encode(), 4096)) == first["encoded"]
    vectors = {"format": "ferry-drop/v1", "recordSize": RECORD_SIZE, "keys": keys, "content": content,
               "metadata": metadata, "rfc8188": rfc8188}
    OUT.write_text(json.dumps(vectors, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
