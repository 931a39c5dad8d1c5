/* crypto: the SRTP transforms on preallocated, prekeyed OpenSSL EVP contexts: only IVs change per
 * packet. RFC 3711 §4.1.1 (AES-CM IV), §4.2 (HMAC-SHA1), RFC 7714 §8.1/§9.1 (GCM IV). */
#include "srtp/srtp_int.h"

#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

/* Both IVs are the salt XOR an SSRC and an index, at offsets that differ by transform. */
static void xor_ssrc_index(uint8_t *iv, size_t ssrc_at, uint32_t ssrc, uint64_t idx)
{
	for (int i = 0; i < 4; i++)
		iv[ssrc_at + i] ^= (uint8_t)(ssrc >> (24 - 8 * i));
	for (int i = 0; i < 6; i++)
		iv[ssrc_at + 4 + i] ^= (uint8_t)(idx >> (40 - 8 * i));
}

int srtp_sess_ctr(struct srtp_keys *k, uint32_t ssrc, uint64_t idx, uint8_t *buf, size_t len)
{
	/* IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16) */
	uint8_t iv[16];
	memcpy(iv, k->salt, 14);
	iv[14] = iv[15] = 0;
	xor_ssrc_index(iv, 4, ssrc, idx);
	int n;
	if (EVP_EncryptInit_ex(k->cipher, NULL, NULL, NULL, iv) != 1)
		return EIO;
	if (len && EVP_EncryptUpdate(k->cipher, buf, &n, buf, (int)len) != 1)
		return EIO;
	return 0;
}

int srtp_sess_hmac(struct srtp_keys *k, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		   uint8_t tag[SRTP_HMAC_TAG_LEN])
{
	uint8_t full[EVP_MAX_MD_SIZE];
	size_t n = 0;
	if (EVP_MAC_init(k->mac, NULL, 0, NULL) != 1 || EVP_MAC_update(k->mac, a, alen) != 1 ||
	    (blen && EVP_MAC_update(k->mac, b, blen) != 1) ||
	    EVP_MAC_final(k->mac, full, &n, sizeof full) != 1 || n < SRTP_HMAC_TAG_LEN)
		return EIO;
	memcpy(tag, full, SRTP_HMAC_TAG_LEN);
	return 0;
}

static void gcm_iv(uint8_t iv[12], const struct srtp_keys *k, uint32_t ssrc, uint64_t idx)
{
	/* RTP: 00 00 || SSRC || ROC || SEQ; RTCP: 00 00 || SSRC || 00 00 || 0 || index; XOR salt. */
	memcpy(iv, k->salt, 12);
	xor_ssrc_index(iv, 2, ssrc, idx);
}

static int gcm_run(struct srtp_keys *k, int enc, uint32_t ssrc, uint64_t idx, const uint8_t *a,
		   size_t alen, const uint8_t *b, size_t blen, uint8_t *buf, size_t len)
{
	uint8_t iv[12];
	int n;
	gcm_iv(iv, k, ssrc, idx);
	if (EVP_CipherInit_ex(k->cipher, NULL, NULL, NULL, iv, enc) != 1 ||
	    EVP_CipherUpdate(k->cipher, NULL, &n, a, (int)alen) != 1 ||
	    (blen && EVP_CipherUpdate(k->cipher, NULL, &n, b, (int)blen) != 1) ||
	    (len && EVP_CipherUpdate(k->cipher, buf, &n, buf, (int)len) != 1))
		return EIO;
	return 0;
}

int srtp_sess_gcm_seal(struct srtp_keys *k, uint32_t ssrc, uint64_t idx, const uint8_t *a, size_t alen,
		       const uint8_t *b, size_t blen, uint8_t *buf, size_t len, uint8_t tag[SRTP_GCM_TAG_LEN])
{
	uint8_t end[16];
	int n;
	if (gcm_run(k, 1, ssrc, idx, a, alen, b, blen, buf, len) ||
	    EVP_EncryptFinal_ex(k->cipher, end, &n) != 1 ||
	    EVP_CIPHER_CTX_ctrl(k->cipher, EVP_CTRL_GCM_GET_TAG, SRTP_GCM_TAG_LEN, tag) != 1)
		return EIO;
	return 0;
}

int srtp_sess_gcm_open(struct srtp_keys *k, uint32_t ssrc, uint64_t idx, const uint8_t *a, size_t alen,
		       const uint8_t *b, size_t blen, uint8_t *buf, size_t len, const uint8_t tag[SRTP_GCM_TAG_LEN])
{
	uint8_t end[16];
	int n;
	if (gcm_run(k, 0, ssrc, idx, a, alen, b, blen, buf, len) ||
	    EVP_CIPHER_CTX_ctrl(k->cipher, EVP_CTRL_GCM_SET_TAG, SRTP_GCM_TAG_LEN, (void *)tag) != 1)
		return EIO;
	return EVP_DecryptFinal_ex(k->cipher, end, &n) == 1 ? 0 : EACCES;
}
