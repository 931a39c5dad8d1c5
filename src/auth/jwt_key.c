/* jwt_key: the keys a tenant verifies its tokens with, and one signature check (RFC 7518 §3).
 * A key fixes its algorithm when it is loaded — an HS256 secret, an RSA public key for RS256, a
 * P-256 public key for ES256 — and a token's "alg" can only select among them. */
#include "auth/jwt_int.h"

#include <errno.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEM_MAX (64 * 1024)

enum jwt_alg jwt_alg_parse(const char *name, size_t len)
{
	static const struct { const char *name; enum jwt_alg alg; } algs[] = {
		{ "HS256", JWT_ALG_HS256 }, { "RS256", JWT_ALG_RS256 }, { "ES256", JWT_ALG_ES256 },
	};
	for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++)
		if (len == strlen(algs[i].name) && memcmp(name, algs[i].name, len) == 0)
			return algs[i].alg;
	return 0;
}

const char *jwt_key_alg(const struct jwt_key *k)
{
	switch (k ? k->alg : 0) {
	case JWT_ALG_HS256: return "HS256";
	case JWT_ALG_RS256: return "RS256";
	case JWT_ALG_ES256: return "ES256";
	}
	return "?";
}

int jwt_key_hs256(struct jwt_key **out, const void *secret, size_t len)
{
	*out = NULL;
	if (!secret || len < JWT_HS256_SECRET_MIN)
		return EINVAL;
	struct jwt_key *k = calloc(1, sizeof *k);
	if (!k || !(k->secret = OPENSSL_malloc(len))) {
		free(k);
		return ENOMEM;
	}
	memcpy(k->secret, secret, len);
	k->secret_len = len;
	k->alg = JWT_ALG_HS256;
	*out = k;
	return 0;
}

static int refuse(char *err, size_t cap, const char *fmt, ...)
{
	if (err && cap) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err, cap, fmt, ap);
		va_end(ap);
	}
	ERR_clear_error();   /* leave no OpenSSL errors behind for TLS/DTLS code to trip over */
	return EINVAL;
}

/* Why a PEM text holds no "PUBLIC KEY", in words an operator can act on. */
static int refuse_pem(const char *pem, size_t len, char *err, size_t cap)
{
	if (memmem(pem, len, "PRIVATE KEY-----", 16))
		return refuse(err, cap, "a private key: give the public key (openssl pkey -pubout)");
	if (memmem(pem, len, "BEGIN CERTIFICATE-----", 22))
		return refuse(err, cap, "a certificate: give its public key (openssl x509 -pubkey -noout)");
	return refuse(err, cap, "no PEM \"PUBLIC KEY\" found");
}

static bool is_p256(EVP_PKEY *pkey, char *group, size_t cap)
{
	size_t n = 0;
	if (!EVP_PKEY_get_group_name(pkey, group, cap, &n))
		return false;
	int nid = OBJ_sn2nid(group);
	if (nid == NID_undef)
		nid = EC_curve_nist2nid(group);
	return nid == NID_X9_62_prime256v1;
}

static bool public_check(EVP_PKEY *pkey)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL);
	bool ok = ctx && EVP_PKEY_public_check(ctx) == 1;
	EVP_PKEY_CTX_free(ctx);
	return ok;
}

int jwt_key_public_pem(struct jwt_key **out, const char *pem, size_t len, char *err, size_t err_cap)
{
	*out = NULL;
	if (err && err_cap)
		err[0] = '\0';
	if (!pem || len == 0 || len > PEM_MAX)
		return refuse(err, err_cap, "empty or longer than %d bytes", PEM_MAX);
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return ENOMEM;
	EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!pkey)
		return refuse_pem(pem, len, err, err_cap);
	enum jwt_alg alg = 0;
	char group[64] = "";
	if (EVP_PKEY_is_a(pkey, "RSA")) {
		int bits = EVP_PKEY_get_bits(pkey);
		if (bits < JWT_RSA_BITS_MIN || bits > JWT_RSA_BITS_MAX) {
			EVP_PKEY_free(pkey);
			return refuse(err, err_cap, "an RSA key of %d bits: %d to %d needed", bits, JWT_RSA_BITS_MIN,
			              JWT_RSA_BITS_MAX);
		}
		alg = JWT_ALG_RS256;
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		if (!is_p256(pkey, group, sizeof group)) {
			EVP_PKEY_free(pkey);
			return refuse(err, err_cap, "an EC key on %s: only P-256 (ES256) is accepted",
			              group[0] ? group : "an unnamed curve");
		}
		alg = JWT_ALG_ES256;
	} else {
		const char *type = EVP_PKEY_get0_type_name(pkey);
		char name[32];
		snprintf(name, sizeof name, "%s", type ? type : "unknown");
		EVP_PKEY_free(pkey);
		return refuse(err, err_cap, "a %s key: only RSA (RS256) and EC P-256 (ES256) are accepted", name);
	}
	if (!public_check(pkey)) {
		EVP_PKEY_free(pkey);
		return refuse(err, err_cap, "the public key fails OpenSSL's consistency check");
	}
	struct jwt_key *k = calloc(1, sizeof *k);
	if (!k) {
		EVP_PKEY_free(pkey);
		return ENOMEM;
	}
	k->alg = alg;
	k->pkey = pkey;
	*out = k;
	return 0;
}

void jwt_key_free(struct jwt_key *k)
{
	if (!k)
		return;
	if (k->secret)
		OPENSSL_clear_free(k->secret, k->secret_len);
	EVP_PKEY_free(k->pkey);
	free(k);
}

static bool hs256_ok(const struct jwt_key *k, const unsigned char *input, size_t input_len, const unsigned char *sig,
                     size_t sig_len)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t mac_len = 0;
	if (sig_len != 32)
		return false;
	if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, k->secret, k->secret_len, input, input_len, mac, sizeof mac,
	               &mac_len) || mac_len != 32) {
		ERR_clear_error();
		return false;
	}
	bool ok = CRYPTO_memcmp(mac, sig, 32) == 0;
	OPENSSL_cleanse(mac, sizeof mac);
	return ok;
}

static bool digest_verify(EVP_PKEY *pkey, bool pkcs1, const unsigned char *input, size_t input_len,
                          const unsigned char *sig, size_t sig_len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_PKEY_CTX *pctx = NULL;
	bool ok = md && EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, pkey, NULL) == 1 &&
	          (!pkcs1 || EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) == 1) &&
	          EVP_DigestVerify(md, sig, sig_len, input, input_len) == 1;
	EVP_MD_CTX_free(md);
	if (!ok)
		ERR_clear_error();
	return ok;
}

/* JWS carries R‖S, 32 bytes each, big-endian (RFC 7518 §3.4); OpenSSL verifies DER ECDSA-Sig-Value. */
static bool es256_ok(const struct jwt_key *k, const unsigned char *input, size_t input_len, const unsigned char *sig,
                     size_t sig_len)
{
	if (sig_len != 64)
		return false;
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(sig, 32, NULL), *s = BN_bin2bn(sig + 32, 32, NULL);
	if (!es || !r || !s || !ECDSA_SIG_set0(es, r, s)) {
		ECDSA_SIG_free(es);
		BN_free(r);
		BN_free(s);
		ERR_clear_error();
		return false;
	}
	unsigned char *der = NULL;
	int der_len = i2d_ECDSA_SIG(es, &der);
	ECDSA_SIG_free(es);   /* frees r and s */
	bool ok = der_len > 0 && digest_verify(k->pkey, false, input, input_len, der, (size_t)der_len);
	OPENSSL_free(der);
	return ok;
}

bool jwt_sig_ok(const struct jwt_key *key, const unsigned char *input, size_t input_len, const unsigned char *sig,
                size_t sig_len)
{
	switch (key->alg) {
	case JWT_ALG_HS256:
		return key->secret && hs256_ok(key, input, input_len, sig, sig_len);
	case JWT_ALG_RS256:
		/* a signature is exactly as long as the modulus (RFC 8017 §8.2.2 step 1) */
		return key->pkey && sig_len == (size_t)EVP_PKEY_get_size(key->pkey) &&
		       digest_verify(key->pkey, true, input, input_len, sig, sig_len);
	case JWT_ALG_ES256:
		return key->pkey && es256_ok(key, input, input_len, sig, sig_len);
	}
	return false;
}
