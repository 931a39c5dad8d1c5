/* session: SRTP profiles, the key derivation function, and session set-up on OpenSSL EVP.
 * RFC 3711 §4.3 (AES-CM PRF, key_derivation_rate 0), RFC 7714 §11 (96-bit salts), RFC 5764 §4.1.2. */
#include "srtp/srtp_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>

enum { LABEL_RTP_KEY = 0, LABEL_RTP_AUTH, LABEL_RTP_SALT, LABEL_RTCP_KEY, LABEL_RTCP_AUTH, LABEL_RTCP_SALT };

#define HMAC_KEY_LEN 20     /* RFC 3711 §5.2: n_a = 160 bits */
#define INITIAL_SSRCS 8

size_t srtp_profile_key_len(enum srtp_profile p)
{
	return p == SRTP_PROFILE_AES128_CM_SHA1_80 || p == SRTP_PROFILE_AEAD_AES_128_GCM ? 16 : 0;
}

size_t srtp_profile_salt_len(enum srtp_profile p)
{
	switch (p) {
	case SRTP_PROFILE_AES128_CM_SHA1_80: return 14;
	case SRTP_PROFILE_AEAD_AES_128_GCM: return 12;
	}
	return 0;
}

size_t srtp_profile_rtp_overhead(enum srtp_profile p)
{
	switch (p) {
	case SRTP_PROFILE_AES128_CM_SHA1_80: return SRTP_HMAC_TAG_LEN;
	case SRTP_PROFILE_AEAD_AES_128_GCM: return SRTP_GCM_TAG_LEN;
	}
	return 0;
}

size_t srtp_profile_rtcp_overhead(enum srtp_profile p)
{
	size_t t = srtp_profile_rtp_overhead(p);
	return t ? t + SRTCP_TRAILER_LEN : 0;
}

const char *srtp_profile_name(enum srtp_profile p)
{
	switch (p) {
	case SRTP_PROFILE_AES128_CM_SHA1_80: return "AES128_CM_SHA1_80";
	case SRTP_PROFILE_AEAD_AES_128_GCM: return "AEAD_AES_128_GCM";
	}
	return NULL;
}

int srtp_sess_derive(const uint8_t *master_key, const uint8_t *master_salt, size_t salt_len,
		     uint8_t label, uint8_t *out, size_t out_len)
{
	/* x = (label || r) XOR master_salt, right-aligned in 112 bits; IV = x * 2^16. */
	uint8_t iv[16] = { 0 };
	if (salt_len > SRTP_SESS_MAX_SALT_LEN || out_len > 256)
		return EIO;
	memcpy(iv, master_salt, salt_len);
	iv[7] ^= label;

	uint8_t zero[256] = { 0 };
	int n = 0, ok = 0;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	if (ctx && EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, master_key, iv) == 1 &&
	    EVP_EncryptUpdate(ctx, out, &n, zero, (int)out_len) == 1 && (size_t)n == out_len)
		ok = 1;
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(iv, sizeof iv);
	return ok ? 0 : EIO;
}

static int keys_init(struct srtp_keys *k, bool gcm, const uint8_t *mkey, const uint8_t *msalt,
		     size_t salt_len, uint8_t label_key)
{
	uint8_t key[16], auth[HMAC_KEY_LEN];
	int err = srtp_sess_derive(mkey, msalt, salt_len, label_key, key, sizeof key);
	if (!err)
		err = srtp_sess_derive(mkey, msalt, salt_len, label_key + 2, k->salt, salt_len);
	if (!err && !gcm)
		err = srtp_sess_derive(mkey, msalt, salt_len, label_key + 1, auth, sizeof auth);
	if (err)
		goto out;

	err = ENOMEM;
	k->cipher = EVP_CIPHER_CTX_new();
	if (!k->cipher)
		goto out;
	err = EIO;
	if (EVP_EncryptInit_ex(k->cipher, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), NULL, key, NULL) != 1)
		goto out;
	if (!gcm) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		if (!mac)
			goto out;
		k->mac = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA1", 0),
			OSSL_PARAM_construct_end(),
		};
		if (!k->mac || EVP_MAC_init(k->mac, auth, sizeof auth, params) != 1)
			goto out;
	}
	err = 0;
out:
	OPENSSL_cleanse(key, sizeof key);
	OPENSSL_cleanse(auth, sizeof auth);
	return err;
}

static void keys_free(struct srtp_keys *k)
{
	EVP_CIPHER_CTX_free(k->cipher);
	EVP_MAC_CTX_free(k->mac);
	OPENSSL_cleanse(k->salt, sizeof k->salt);
}

int srtp_sess_new(struct srtp_sess **out, enum srtp_profile p, const uint8_t *master_key,
		  const uint8_t *master_salt)
{
	*out = NULL;
	size_t salt_len = srtp_profile_salt_len(p);
	if (!salt_len || !master_key || !master_salt)
		return EINVAL;
	struct srtp_sess *s = calloc(1, sizeof *s);
	if (!s)
		return ENOMEM;
	s->profile = p;
	s->gcm = p == SRTP_PROFILE_AEAD_AES_128_GCM;
	s->tab_cap = INITIAL_SSRCS;
	s->tab = calloc(s->tab_cap, sizeof *s->tab);
	int err = s->tab ? 0 : ENOMEM;
	if (!err)
		err = keys_init(&s->rtp, s->gcm, master_key, master_salt, salt_len, LABEL_RTP_KEY);
	if (!err)
		err = keys_init(&s->rtcp, s->gcm, master_key, master_salt, salt_len, LABEL_RTCP_KEY);
	if (err) {
		srtp_sess_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void srtp_sess_free(struct srtp_sess *s)
{
	if (!s)
		return;
	keys_free(&s->rtp);
	keys_free(&s->rtcp);
	free(s->tab);
	free(s);
}
