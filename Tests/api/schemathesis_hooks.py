"""Schemathesis hooks for the run in test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

The document's one custom string format, `p256-spki`, says what no pattern can: the key's point
lies on the curve. Its strategy draws real keys, so a schema-valid device is one the server takes.
A tus chunk (`application/offset+octet-stream`) is bytes as they are: schemathesis has no
serializer for the media type, so its strategy draws them."""

import base64

import schemathesis
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import strategies as st

# The order of P-256's group: private scalars are 1 … n-1.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def spki(scalar: int) -> str:
    """The base64url SubjectPublicKeyInfo of the key whose private scalar is `scalar`."""
    key = ec.derive_private_key(scalar, ec.SECP256R1()).public_key()
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(der).rstrip(b"=").decode()


schemathesis.openapi.format("p256-spki", st.integers(min_value=1, max_value=P256_ORDER - 1).map(spki))

schemathesis.openapi.media_type("application/offset+octet-stream", st.binary(max_size=4096))
