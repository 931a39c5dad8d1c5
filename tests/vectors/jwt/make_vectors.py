#!/usr/bin/env python3
"""Writes vectors.json: JSON Web Tokens and keys for tests/unit/test_jwt.c, made without plenum.

Tokens are signed here with python3-cryptography (RS256: RSASSA-PKCS1-v1_5 SHA-256, ES256: ECDSA
P-256 SHA-256 as raw R||S) and hmac/hashlib (HS256), each with the verdict plenum must give
(src/auth/jwt.h). The RSA-2048 and P-256 key pairs are made afresh on each run, so running this
again rewrites every RS256/ES256 token; the HS256 secrets are fixed. Times are fixed (NOW), so the
vectors never expire. The RFC 7515 Appendix A.1-A.3 examples are checked here against their keys
before they are written, so a copying mistake fails here and not in C.

Usage: python3 tests/vectors/jwt/make_vectors.py   (from the repository root)
"""
import base64
import datetime
import hashlib
import hmac
import json
import os

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.x509.oid import NameOID

NOW = 1767225600            # 2026-01-01T00:00:00Z
LEEWAY = 30
AUD = "stadt-musterhausen"
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "vectors.json")


def b64u(b):
	return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64u_dec(s):
	return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def enc(obj):
	if isinstance(obj, bytes):
		return obj
	return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def pem_public(key):
	return key.public_key().public_bytes(serialization.Encoding.PEM,
	                                      serialization.PublicFormat.SubjectPublicKeyInfo).decode()


# --- keys ---------------------------------------------------------------------------------------
HS = b"Rathaus-Musterhausen/portal/2026-signing-secret"     # 47 bytes
HS2 = b"the-next-secret-after-rotation-of-the-town-key"     # 46 bytes
HS_OTHER = b"a-secret-of-some-other-town-entirely-0123456789"
RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC = ec.generate_private_key(ec.SECP256R1())
EC_OTHER = ec.generate_private_key(ec.SECP256R1())

# RFC 7515 A.1 (HMAC key "k"), A.2 (RSA n, e), A.3 (EC x, y): public halves only.
A1_K = b64u_dec("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
A2_N = ("ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS"
        "-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2"
        "CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9g"
        "b54h4FRWyuXpoQ")
A2_PUB = rsa.RSAPublicNumbers(65537, int.from_bytes(b64u_dec(A2_N), "big")).public_key()
A3_PUB = ec.EllipticCurvePublicNumbers(
	int.from_bytes(b64u_dec("f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"), "big"),
	int.from_bytes(b64u_dec("x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"), "big"), ec.SECP256R1()).public_key()


def spki(pub):
	return pub.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


keys = {
	"hs": {"hs256_hex": HS.hex()},
	"hs2": {"hs256_hex": HS2.hex()},
	"hs_other": {"hs256_hex": HS_OTHER.hex()},
	"rsa": {"pem": pem_public(RSA), "alg": "RS256"},
	"rsa_pkcs1": {"pem": RSA.public_key().public_bytes(serialization.Encoding.PEM,
	                                                   serialization.PublicFormat.PKCS1).decode(), "alg": "RS256"},
	"rsa_other": {"pem": pem_public(RSA_OTHER), "alg": "RS256"},
	"ec": {"pem": pem_public(EC), "alg": "ES256"},
	"ec_other": {"pem": pem_public(EC_OTHER), "alg": "ES256"},
	"rfc7515_a1": {"hs256_hex": A1_K.hex()},
	"rfc7515_a2": {"pem": spki(A2_PUB), "alg": "RS256"},
	"rfc7515_a3": {"pem": spki(A3_PUB), "alg": "ES256"},
}

def self_signed(key):
	name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "portal.example")])
	t = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
	return (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
	        .serial_number(1).not_valid_before(t).not_valid_after(t + datetime.timedelta(days=365))
	        .sign(key, hashes.SHA256()))


# Keys jwt_key_hs256 / jwt_key_public_pem must refuse (EINVAL).
refused_keys = [
	{"name": "hs-31-bytes", "hs256_hex": (b"x" * 31).hex()},
	{"name": "rsa-1024", "pem": pem_public(rsa.generate_private_key(public_exponent=65537, key_size=1024))},
	{"name": "ec-p384", "pem": pem_public(ec.generate_private_key(ec.SECP384R1()))},
	{"name": "ed25519", "pem": pem_public(ed25519.Ed25519PrivateKey.generate())},
	{"name": "rsa-private", "pem": RSA.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
	                                                 serialization.NoEncryption()).decode()},
	{"name": "ec-private", "pem": EC.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
	                                               serialization.NoEncryption()).decode()},
	{"name": "certificate", "pem": self_signed(EC).public_bytes(serialization.Encoding.PEM).decode()},
	{"name": "garbage", "pem": "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"},
]


# --- signing ------------------------------------------------------------------------------------
def sign(alg, key, data):
	if alg == "HS256":
		return hmac.new(key, data, hashlib.sha256).digest()
	if alg == "RS256":
		return key.sign(data, padding.PKCS1v15(), hashes.SHA256())
	if alg == "ES256":
		r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
		return r.to_bytes(32, "big") + s.to_bytes(32, "big")
	raise ValueError(alg)


SIGNER = {"hs": ("HS256", HS), "hs2": ("HS256", HS2), "hs_other": ("HS256", HS_OTHER), "rsa": ("RS256", RSA),
          "rsa_other": ("RS256", RSA_OTHER), "ec": ("ES256", EC), "ec_other": ("ES256", EC_OTHER)}


def mint(payload, signer="hs", header=None, sig=None):
	"""A compact JWS; header defaults to {"alg": <the signer's>, "typ": "JWT"}; sig replaces the signature
	bytes when given (a function of the real signature, or bytes)."""
	alg, key = SIGNER[signer]
	if header is None:
		header = {"alg": alg, "typ": "JWT"}
	signing_input = (b64u(enc(header)) + "." + b64u(enc(payload))).encode()
	real = sign(alg, key, signing_input)
	if callable(sig):
		real = sig(real)
	elif sig is not None:
		real = sig
	return signing_input.decode() + "." + b64u(real)


def claims(**kw):
	c = {"aud": AUD, "exp": NOW + 3600, "room": "ratssitzung", "name": "Bürgermeisterin Müller", "role": "host",
	     "sub": "staff-4711"}
	for k, v in kw.items():
		if v is None:
			c.pop(k, None)
		else:
			c[k] = v
	return c


tokens = []


def vec(name, token, expect, keys_=("hs",), now=NOW, leeway=LEEWAY, aud=AUD, claims_=None):
	v = {"name": name, "token": token, "keys": list(keys_), "aud": aud, "now": now, "leeway": leeway, "expect": expect}
	if claims_ is not None:
		v["claims"] = claims_
	tokens.append(v)


def want(room="ratssitzung", any_room=False, name="Bürgermeisterin Müller", host=True, admin=False, exp=NOW + 3600,
         nbf=0, sub="staff-4711"):
	return {"room": room, "any_room": any_room, "name": name, "host": host, "admin": admin, "exp": exp, "nbf": nbf,
	        "sub": sub}


# --- accepted -----------------------------------------------------------------------------------
vec("hs256-host", mint(claims()), "ok", claims_=want())
vec("rs256-guest", mint(claims(role="guest", name=None, sub=None), "rsa"), "ok", ["rsa"],
    claims_=want(host=False, name="", sub=""))
vec("es256-admin-any-room", mint(claims(room="*", admin=True, role=None, nbf=NOW - 60), "ec"), "ok", ["ec"],
    claims_=want(room="*", any_room=True, admin=True, host=False, nbf=NOW - 60))
vec("no-typ-kid-iss-ignored", mint(claims(iss="https://portal.example", jti="1"), header={"alg": "HS256", "kid": "k1"}),
    "ok", claims_=want())
vec("typ-lowercase", mint(claims(), header={"alg": "HS256", "typ": "jwt"}), "ok", claims_=want())
vec("aud-array", mint(claims(aud=["stadt-nachbarort", AUD])), "ok", claims_=want())
vec("rotation-second-key", mint(claims(), "hs2"), "ok", ["hs", "hs2"], claims_=want())
vec("rs256-pkcs1-key", mint(claims(), "rsa"), "ok", ["rsa_pkcs1"], claims_=want())
vec("mixed-tenant-rs256", mint(claims(), "rsa"), "ok", ["hs", "ec", "rsa"], claims_=want())
vec("mixed-tenant-es256", mint(claims(), "ec"), "ok", ["rsa", "hs", "ec"], claims_=want())
vec("exp-last-second-of-leeway", mint(claims()), "ok", now=NOW + 3600 + LEEWAY - 1, claims_=want())
vec("exp-no-leeway-last-second", mint(claims()), "ok", now=NOW + 3599, leeway=0, claims_=want())
vec("nbf-first-second-of-leeway", mint(claims(nbf=NOW + 100)), "ok", now=NOW + 100 - LEEWAY,
    claims_=want(nbf=NOW + 100))
vec("iat-at-leeway", mint(claims(iat=NOW + LEEWAY)), "ok", claims_=want())
vec("name-64-bytes-utf8", mint(claims(name="ü" * 32)), "ok", claims_=want(name="ü" * 32))
vec("room-64-bytes", mint(claims(room="r" * 64)), "ok", claims_=want(room="r" * 64))
vec("sub-64-bytes", mint(claims(sub="s" * 64)), "ok", claims_=want(sub="s" * 64))
vec("role-guest-explicit", mint(claims(role="guest")), "ok", claims_=want(host=False))
vec("admin-false", mint(claims(admin=False)), "ok", claims_=want())


def exactly(n):
	"""A valid HS256 token of exactly n characters (padding claim and kid length adjusted)."""
	for kid in range(0, 4):
		for pad in range(0, n):
			t = mint(claims(pad="p" * pad), header={"alg": "HS256", "kid": "k" * kid})
			if len(t) == n:
				return t
			if len(t) > n:
				break
	raise RuntimeError(n)


vec("length-8192", exactly(8192), "ok", claims_=want())

# --- malformed ----------------------------------------------------------------------------------
good = mint(claims())
h, p, s = good.split(".")
vec("length-8193", exactly(8193), "malformed")
vec("huge", mint(claims(pad="p" * 20000)), "malformed")
vec("empty", "", "malformed")
vec("two-parts", h + "." + p, "malformed")
vec("four-parts", good + ".", "malformed")
vec("dot-only", "..", "malformed")
vec("empty-header", "." + p + "." + s, "malformed")
vec("empty-payload", h + ".." + s, "malformed")
vec("sig-padded", good + "=", "malformed")
vec("payload-padded", h + "." + p + "=" * (-len(p) % 4 or 1) + "." + s, "malformed")
vec("plus-in-signature", h + "." + p + ".+" + s[1:], "malformed")
vec("slash-in-signature", h + "." + p + "." + s[:-1] + "/", "malformed")
vec("space-after", good + " ", "malformed")
vec("newline-after", good + "\n", "malformed")
vec("space-inside", h + " ." + p + "." + s, "malformed")
# 32 bytes take 43 characters, whose last one carries 2 unused bits: set one, the bytes stay the same
alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
stray = alphabet[alphabet.index(s[-1]) | 1]
vec("sig-stray-bits", h + "." + p + "." + s[:-1] + stray, "malformed")
vec("sig-length-1-mod-4", good + "A" * ((1 - len(s)) % 4 or 4), "malformed")
vec("header-array", mint(claims(), header=b'["HS256"]'), "malformed")
vec("header-not-json", mint(claims(), header=b'{"alg":"HS256",}'), "malformed")
vec("header-duplicate-alg", mint(claims(), header=b'{"alg":"none","alg":"HS256"}'), "malformed")
vec("payload-not-json", mint(b"not json"), "malformed")
vec("payload-string", mint(b'"aud"'), "malformed")
vec("payload-duplicate-role", mint(enc(claims(role=None))[:-1] + b',"role":"guest","role":"host"}'), "malformed")
vec("payload-invalid-utf8", mint(enc(claims(name=None))[:-1] + b',"name":"\xc3\x28"}'), "malformed")
vec("typ-at-jwt", mint(claims(), header={"alg": "HS256", "typ": "at+jwt"}), "malformed")
vec("typ-number", mint(claims(), header={"alg": "HS256", "typ": 1}), "malformed")

# --- algorithm ----------------------------------------------------------------------------------
none_token = b64u(enc({"alg": "none", "typ": "JWT"})) + "." + b64u(enc(claims())) + "."
vec("alg-none", none_token, "algorithm")
vec("alg-none-rsa-tenant", none_token, "algorithm", ["rsa"])
vec("alg-None", mint(claims(), header={"alg": "None"}), "algorithm")
vec("alg-lowercase", mint(claims(), header={"alg": "hs256"}), "algorithm")
vec("alg-missing", mint(claims(), header={"typ": "JWT"}), "algorithm")
vec("alg-number", mint(claims(), header={"alg": 256}), "algorithm")
vec("alg-hs512", mint(claims(), header={"alg": "HS512"}), "algorithm")
vec("alg-ps256", mint(claims(), "rsa", header={"alg": "PS256"}), "algorithm", ["rsa"])
vec("crit", mint(claims(), header={"alg": "HS256", "crit": ["exp"], "exp": 1}), "algorithm")
vec("crit-empty", mint(claims(), header={"alg": "HS256", "crit": []}), "algorithm")
vec("crit-b64", mint(claims(), header={"alg": "HS256", "b64": False, "crit": ["b64"]}), "algorithm")
# The key confusion attack: HS256 with the RSA public key's PEM as the HMAC secret.
si = (b64u(enc({"alg": "HS256", "typ": "JWT"})) + "." + b64u(enc(claims()))).encode()
confused = si.decode() + "." + b64u(hmac.new(keys["rsa"]["pem"].encode(), si, hashlib.sha256).digest())
vec("hs256-with-rsa-pem-as-secret", confused, "algorithm", ["rsa"])
vec("hs256-with-ec-pem-as-secret", si.decode() + "." + b64u(hmac.new(keys["ec"]["pem"].encode(), si,
    hashlib.sha256).digest()), "algorithm", ["ec"])
vec("rs256-to-hs-tenant", mint(claims(), "rsa"), "algorithm", ["hs"])
vec("es256-to-rs-tenant", mint(claims(), "ec"), "algorithm", ["rsa"])
vec("rs256-to-es-tenant", mint(claims(), "rsa"), "algorithm", ["ec"])
vec("no-keys", good, "algorithm", [])

# --- audience -----------------------------------------------------------------------------------
vec("aud-missing", mint(claims(aud=None)), "audience")
vec("aud-other-town", mint(claims(aud="stadt-nachbarort"), "hs_other"), "audience")
vec("aud-case", mint(claims(aud="Stadt-Musterhausen")), "audience")
vec("aud-prefix", mint(claims(aud=AUD + "x")), "audience")
vec("aud-array-without", mint(claims(aud=["a", "b"])), "audience")
vec("aud-array-empty", mint(claims(aud=[])), "audience")
vec("aud-array-with-number", mint(claims(aud=[AUD, 7])), "audience")
vec("aud-number", mint(claims(aud=7)), "audience")
vec("aud-object", mint(claims(aud={"x": AUD})), "audience")
vec("aud-checked-before-signature", mint(claims(aud="stadt-nachbarort"), sig=b"\0" * 32), "audience")

# --- signature ----------------------------------------------------------------------------------
tampered_p = b64u(enc(claims(role="host", room="*")))
vec("tampered-payload", h + "." + tampered_p + "." + s, "signature")
vec("tampered-header", b64u(enc({"alg": "HS256", "typ": "JWT", "kid": "x"})) + "." + p + "." + s, "signature")
vec("hs-other-secret", mint(claims(), "hs_other"), "signature")
vec("hs-bit-flip", mint(claims(), sig=lambda b: bytes([b[0] ^ 1]) + b[1:]), "signature")
vec("hs-truncated", mint(claims(), sig=lambda b: b[:31]), "signature")
vec("hs-empty-signature", h + "." + p + ".", "signature")
vec("rsa-other-key", mint(claims(), "rsa_other"), "signature", ["rsa"])
vec("rsa-bit-flip", mint(claims(), "rsa", sig=lambda b: b[:-1] + bytes([b[-1] ^ 0x80])), "signature", ["rsa"])
vec("rsa-one-byte-short", mint(claims(), "rsa", sig=lambda b: b[1:]), "signature", ["rsa"])
vec("rsa-zero-prefixed", mint(claims(), "rsa", sig=lambda b: b"\0" + b), "signature", ["rsa"])
vec("rsa-pss-signature", mint(claims(), "rsa", sig=lambda b: RSA.sign(
	(b64u(enc({"alg": "RS256", "typ": "JWT"})) + "." + b64u(enc(claims()))).encode(),
	padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())), "signature", ["rsa"])
vec("ec-other-key", mint(claims(), "ec_other"), "signature", ["ec"])
vec("ec-der-signature", mint(claims(), "ec", sig=lambda b: encode_dss_signature(int.from_bytes(b[:32], "big"),
    int.from_bytes(b[32:], "big"))), "signature", ["ec"])
vec("ec-63-bytes", mint(claims(), "ec", sig=lambda b: b[:63]), "signature", ["ec"])
vec("ec-65-bytes", mint(claims(), "ec", sig=lambda b: b + b"\0"), "signature", ["ec"])
vec("ec-r-s-swapped", mint(claims(), "ec", sig=lambda b: b[32:] + b[:32]), "signature", ["ec"])
vec("ec-zero", mint(claims(), "ec", sig=b"\0" * 64), "signature", ["ec"])
vec("ec-bit-flip", mint(claims(), "ec", sig=lambda b: b[:10] + bytes([b[10] ^ 4]) + b[11:]), "signature", ["ec"])
# "alg" picks the key as well as the algorithm: an HMAC under the tenant's own secret is no RS256 signature
vec("rs256-header-hmac-signature", mint(claims(), "hs", header={"alg": "RS256", "typ": "JWT"}), "signature",
    ["rsa", "hs"])
vec("hs-token-right-alg-wrong-tenant-key", mint(claims(), "hs2"), "signature", ["hs"])

# --- time ---------------------------------------------------------------------------------------
vec("exp-missing", mint(claims(exp=None)), "expired")
vec("exp-past", mint(claims(exp=NOW - 3600)), "expired")
vec("exp-at-leeway", mint(claims()), "expired", now=NOW + 3600 + LEEWAY)
vec("exp-no-leeway-at-exp", mint(claims()), "expired", now=NOW + 3600, leeway=0)
vec("exp-zero", mint(claims(exp=0)), "expired")
vec("exp-negative", mint(claims(exp=-1)), "expired")
vec("nbf-future", mint(claims(nbf=NOW + 3000)), "not-yet-valid")
vec("nbf-one-second-early", mint(claims(nbf=NOW + 100)), "not-yet-valid", now=NOW + 100 - LEEWAY - 1)
vec("iat-future", mint(claims(iat=NOW + LEEWAY + 1)), "not-yet-valid")
vec("exp-huge-still-valid", mint(claims(exp=2 ** 63 - 1)), "ok", claims_=want(exp=2 ** 63 - 1))

# --- claims -------------------------------------------------------------------------------------
vec("exp-string", mint(claims(exp=str(NOW + 3600))), "claims")
vec("exp-real", mint(enc(claims(exp=None))[:-1] + b',"exp":%d.5}' % (NOW + 3600)), "claims")
vec("exp-real-integral", mint(enc(claims(exp=None))[:-1] + b',"exp":%d.0}' % (NOW + 3600)), "claims")
vec("exp-bool", mint(claims(exp=True)), "claims")
vec("nbf-string", mint(claims(nbf="0")), "claims")
vec("iat-real", mint(enc(claims())[:-1] + b',"iat":1.5}'), "claims")
vec("room-number", mint(claims(room=12)), "claims")
vec("room-empty", mint(claims(room="")), "claims")
vec("room-65-bytes", mint(claims(room="r" * 65)), "claims")
vec("room-newline", mint(claims(room="rat\nsitzung")), "claims")
vec("name-number", mint(claims(name=1)), "claims")
vec("name-65-bytes", mint(claims(name="a" + "ü" * 32)), "claims")
vec("name-bell", mint(claims(name="Anna\u0007")), "claims")
vec("name-c1-control", mint(claims(name="Anna\u0085")), "claims")
vec("name-del", mint(claims(name="Anna\u007f")), "claims")
vec("name-array", mint(claims(name=[])), "claims")
vec("role-admin", mint(claims(role="admin")), "claims")
vec("role-uppercase", mint(claims(role="HOST")), "claims")
vec("role-true", mint(claims(role=True)), "claims")
vec("admin-string", mint(claims(admin="true")), "claims")
vec("admin-one", mint(claims(admin=1)), "claims")
vec("sub-65-bytes", mint(claims(sub="s" * 65)), "claims")
vec("sub-number", mint(claims(sub=4711)), "claims")

# --- RFC 7515 Appendix A: signatures over the examples' signing inputs --------------------------
A_PAYLOAD = "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
A1 = ("eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9." + A_PAYLOAD, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")
A2 = ("eyJhbGciOiJSUzI1NiJ9." + A_PAYLOAD,
      "cC4hiUPoj9Eetdgtv3hF80EGrhuB__dzERat0XF9g2VtQgr9PJbu3XOiZj5RZmh7AAuHIm4Bh-0Qc_lF5YKt_O8W2Fp5jujGbds9uJdbF9CUAr7t"
      "1dnZcAcQjbKBYNX4BAynRFdiuB--f_nZLgrnbyTyWzO75vRK5h6xBArLIARNPvkSjtQBMHlb1L07Qe7K0GarZRmB_eSN9383LcOLn6_dO--xi12"
      "jzDwusC-eOkHWEsqtFZESc6BfI7noOPqvhJ1phCnvWh6IeYI2w9QOYEUipUTI8np6LbgGY9Fs98rqVt5AXLIhWkWywlVmtVrBp0igcN_IoypGlU"
      "PQGe77Rw")
A3 = ("eyJhbGciOiJFUzI1NiJ9." + A_PAYLOAD,
      "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q")


def check_rfc(key, alg, signing_input, sig):
	data, sig = signing_input.encode(), b64u_dec(sig)
	try:
		if alg == "HS256":
			return hmac.compare_digest(hmac.new(key, data, hashlib.sha256).digest(), sig)
		if alg == "RS256":
			key.verify(sig, data, padding.PKCS1v15(), hashes.SHA256())
		else:
			key.verify(encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big")), data,
			           ec.ECDSA(hashes.SHA256()))
		return True
	except InvalidSignature:
		return False


signatures = []
for name, key, alg, (si_, sg) in (("rfc7515-a1", A1_K, "HS256", A1), ("rfc7515-a2", A2_PUB, "RS256", A2),
                                  ("rfc7515-a3", A3_PUB, "ES256", A3)):
	assert check_rfc(key, alg, si_, sg), name + " does not verify: copied wrongly"
	signatures.append({"name": name, "key": name.replace("-", "_"), "input": si_, "sig": sg, "valid": True})
	bad_input = si_[:-1] + ("A" if si_[-1] != "A" else "B")
	assert not check_rfc(key, alg, bad_input, sg)
	signatures.append({"name": name + "-input-changed", "key": name.replace("-", "_"), "input": bad_input, "sig": sg,
	                   "valid": False})
	# the example's signature checked by another key of the same algorithm
	other = {"HS256": "hs", "RS256": "rsa", "ES256": "ec"}[alg]
	signatures.append({"name": name + "-other-key", "key": other, "input": si_, "sig": sg, "valid": False})
	# whole tokens: no "aud" in the examples, so jwt_verify says "audience" before the signature
	vec(name + "-token", si_ + "." + sg, "audience", [name.replace("-", "_")], now=1300819380 - 60)

names = [t["name"] for t in tokens]
assert len(names) == len(set(names)), "duplicate vector names"

with open(OUT, "w") as f:
	json.dump({"comment": "written by make_vectors.py; verdicts as in src/auth/jwt.h", "keys": keys,
	           "refused_keys": refused_keys, "signatures": signatures, "tokens": tokens}, f, indent=1)
	f.write("\n")
print("%s: %d tokens, %d signatures, %d keys, %d refused keys" % (OUT, len(tokens), len(signatures), len(keys),
                                                                  len(refused_keys)))
