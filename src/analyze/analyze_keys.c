/*
 * Keys and certificates: private keys shipped in the image (the same for
 * every unit, so a secret of none), weak keys, and certificates that are
 * expired, self-signed, signed with MD5/SHA-1 or carry a short key.
 *
 * Formats:
 *   PEM (RFC 7468) blocks anywhere in any file, text or binary: CERTIFICATE,
 *     TRUSTED CERTIFICATE, PRIVATE KEY and ENCRYPTED PRIVATE KEY (PKCS#8,
 *     RFC 5958 / RFC 5208), RSA/DSA/EC PRIVATE KEY (PKCS#1 RFC 8017, SEC 1,
 *     and OpenSSL's legacy encryption headers RFC 1421 "Proc-Type:
 *     4,ENCRYPTED"), PUBLIC KEY, RSA PUBLIC KEY, OPENSSH PRIVATE KEY, PGP
 *     PRIVATE KEY BLOCK (RFC 4880, recognised, not parsed). PEM strings
 *     quoted in source code ("...\n" escapes) are unquoted first.
 *   DER (X.690) certificates and private keys at any offset of any file,
 *     found by their ASN.1 prefixes (a SEQUENCE holding a TBSCertificate with
 *     an explicit version, or version 0/1 followed by an INTEGER, an
 *     AlgorithmIdentifier or an OCTET STRING) and accepted only if OpenSSL
 *     decodes exactly the declared length. At offset 0 of files whose names
 *     end in .der, .crt, .cer, .key, .p8 or .pk8 also encrypted PKCS#8 and
 *     SubjectPublicKeyInfo; PKCS#12 (RFC 7292) in .p12/.pfx files or any
 *     file that starts with its ASN.1 prefix, opened with an empty password.
 *   OpenSSH private keys (PROTOCOL.key: "openssh-key-v1\0", cipher, KDF,
 *     public keys in RFC 4253 section 6.6 wire format) — the public part is
 *     in clear even when the private part is encrypted.
 *   Dropbear's own key files (dropbear signkey.c: an SSH string with the
 *     key type, then the key's mpints/strings, public part first), detected
 *     by structure: the file must parse to its last byte.
 * Decoding is OpenSSL's (libcrypto 3); the SSH formats are parsed here, with
 * the bounds-checked reader, because OpenSSL does not read them.
 *
 * Evidence never holds key material: type, size, and the SHA-256 of the
 * DER SubjectPublicKeyInfo (the same value whatever format the key is
 * stored in, so one key can be recognised across files and images); SSH
 * keys also get OpenSSH's "SHA256:" fingerprint of the public key blob.
 *
 * CA bundles and trust stores (a file with several CA certificates, files
 * below etc/ssl/certs, usr/share/ca-certificates, etc/pki..., hashed names
 * like 5ad8a5d6.0) are summarised in attributes, not reported per
 * certificate. Certificates are dated against the scan's clock.
 *
 * Check ids and the STANDARDS.md §9 checks they serve:
 *   key.private-key            K01        private key in the image
 *   key.weak-key               K03        RSA < 2048, DSA, EC < 256 bits
 *   key.cert-expired           K03        notAfter in the past
 *   key.cert-self-signed       K03 (K04)  self-signed certificate outside a trust store
 *   key.cert-weak-signature    K03        MD2/MD4/MD5/SHA-1 signature
 *   key.cert-weak-key          K03        certificate with a weak key
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/analyzer.h"
#include "util/alloc.h"
#include "util/reader.h"

#define MAX_PEM_BLOCK  (1u << 20) /* one PEM block */
#define MAX_PEM_BLOCKS 4096       /* per file */
#define MAX_DER_TRIES  512        /* DER decodes attempted per file */
#define MAX_ITEMS      256        /* keys and certificates kept per file */
#define MAX_ATTR_ITEMS 32         /* ... of which described in attributes */
#define MAX_SKIP       64         /* container ranges not scanned again */
#define BUNDLE_MIN     3          /* CA certificates that make a bundle */

enum kind { K_CERT, K_PRIV, K_PUB };

struct item {
	enum kind kind;
	uint64_t off;
	uint32_t line;
	const char *format; /* "PEM PKCS#8", "DER", "OpenSSH", "dropbear"... */
	char type[24];      /* rsa, dsa, ec, ed25519, ... ; "" if unknown */
	int bits;           /* 0 if unknown */
	bool encrypted;
	char spki[65];  /* hex SHA-256 of the SubjectPublicKeyInfo, or "" */
	char sshfp[64]; /* OpenSSH SHA256: fingerprint, or "" */
	/* certificates */
	char subject[200];
	char not_after[32];
	bool expired, self_signed, ca;
	const char *weak_md; /* "md5", "sha1"... */
};

struct kctx {
	iota_scan *s;
	iota_node *n;
	const iota_blob *b;
	bool text;
	char path[512];
	struct item *items;
	size_t nitems;
	size_t ncerts_total; /* including those past MAX_ITEMS */
	struct {
		uint64_t from, to;
	} skip[MAX_SKIP];
	size_t nskip;
	size_t der_tries;
	/* line counting for text files */
	uint64_t line_off;
	uint32_t line_no;
};

/* ---- helpers ---- */

static void hex(const unsigned char *p, size_t n, char *out)
{
	static const char d[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = d[p[i] >> 4];
		out[2 * i + 1] = d[p[i] & 15];
	}
	out[2 * n] = '\0';
}

static uint32_t line_at(struct kctx *c, uint64_t off)
{
	if (!c->text)
		return 0;
	/* moves from the last position, either way: offsets come mostly in order */
	if (off > c->b->len)
		off = c->b->len;
	for (uint64_t i = off; i < c->line_off; i++)
		if (c->b->data[i] == '\n')
			c->line_no--;
	for (uint64_t i = c->line_off; i < off; i++)
		if (c->b->data[i] == '\n')
			c->line_no++;
	c->line_off = off;
	return c->line_no;
}

static bool skipped(const struct kctx *c, uint64_t off)
{
	for (size_t i = 0; i < c->nskip; i++)
		if (off >= c->skip[i].from && off < c->skip[i].to)
			return true;
	return false;
}

static struct item *new_item(struct kctx *c, enum kind k, uint64_t off, const char *format)
{
	if (k == K_CERT)
		c->ncerts_total++;
	if (c->nitems == MAX_ITEMS)
		return NULL;
	struct item *it = &c->items[c->nitems++];
	memset(it, 0, sizeof *it);
	it->kind = k;
	it->off = off;
	it->line = line_at(c, off);
	it->format = format;
	return it;
}

/* Type, size and SPKI fingerprint of a key. */
static void describe_pkey(EVP_PKEY *pk, struct item *it)
{
	int id = EVP_PKEY_get_base_id(pk);
	const char *t = id == EVP_PKEY_RSA || id == EVP_PKEY_RSA_PSS ? "rsa"
	                : id == EVP_PKEY_DSA                         ? "dsa"
	                : id == EVP_PKEY_EC                          ? "ec"
	                : id == EVP_PKEY_ED25519                     ? "ed25519"
	                : id == EVP_PKEY_ED448                       ? "ed448"
	                : id == EVP_PKEY_X25519                      ? "x25519"
	                : id == EVP_PKEY_X448                        ? "x448"
	                : id == EVP_PKEY_DH || id == EVP_PKEY_DHX    ? "dh"
	                                                             : "other";
	snprintf(it->type, sizeof it->type, "%s", t);
	it->bits = EVP_PKEY_get_bits(pk);
	unsigned char *der = NULL;
	int len = i2d_PUBKEY(pk, &der);
	if (len > 0 && der) {
		unsigned char md[32];
		unsigned int ml = 32;
		if (EVP_Digest(der, (size_t)len, md, &ml, EVP_sha256(), NULL))
			hex(md, 32, it->spki);
	}
	OPENSSL_free(der);
}

/* Printable, bounded copy of an X509_NAME (RFC 2253 order). */
static void name_str(const X509_NAME *nm, char *out, size_t cap)
{
	out[0] = '\0';
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return;
	if (X509_NAME_print_ex(bio, nm, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
		char *p = NULL;
		long l = BIO_get_mem_data(bio, &p);
		size_t o = 0;
		for (long i = 0; p && i < l && o + 1 < cap; i++)
			out[o++] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
		out[o] = '\0';
	}
	BIO_free(bio);
}

static void describe_cert(X509 *x, struct item *it)
{
	name_str(X509_get_subject_name(x), it->subject, sizeof it->subject);
	const ASN1_TIME *na = X509_get0_notAfter(x);
	struct tm tm;
	if (na && ASN1_TIME_to_tm(na, &tm))
		strftime(it->not_after, sizeof it->not_after, "%Y-%m-%dT%H:%M:%SZ", &tm);
	it->expired = na && X509_cmp_time(na, NULL) < 0;
	uint32_t fl = X509_get_extension_flags(x); /* also caches the extensions */
	it->self_signed = (fl & EXFLAG_SS) != 0;
	it->ca = X509_check_ca(x) > 0;
	int mdnid = NID_undef;
	if (X509_get_signature_info(x, &mdnid, NULL, NULL, NULL)) {
		if (mdnid == NID_md5 || mdnid == NID_md4 || mdnid == NID_md2 || mdnid == NID_sha1)
			it->weak_md = OBJ_nid2sn(mdnid);
	}
	EVP_PKEY *pk = X509_get0_pubkey(x);
	if (pk)
		describe_pkey(pk, it);
}

/* ---- SSH formats ---- */

/* An SSH "string" (RFC 4251 section 5): uint32 length, bytes. */
static const uint8_t *ssh_string(iota_reader *r, uint32_t *len)
{
	*len = iota_rd_u32be(r);
	if (r->bad)
		return NULL;
	return iota_rd_bytes(r, *len);
}

static BIGNUM *ssh_mpint(iota_reader *r)
{
	uint32_t l;
	const uint8_t *p = ssh_string(r, &l);
	if (!p || l > 2048)
		return NULL;
	return BN_bin2bn(p, (int)l, NULL);
}

static void ssh_fingerprint(const uint8_t *blob, size_t len, struct item *it)
{
	unsigned char md[32];
	unsigned int ml = 32;
	unsigned char b64[48];
	if (!EVP_Digest(blob, len, md, &ml, EVP_sha256(), NULL))
		return;
	int n = EVP_EncodeBlock(b64, md, 32);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	snprintf(it->sshfp, sizeof it->sshfp, "SHA256:%.*s", n, (const char *)b64);
}

static EVP_PKEY *pkey_fromdata(const char *alg, OSSL_PARAM_BLD *bld)
{
	EVP_PKEY *pk = NULL;
	OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(bld);
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, alg, NULL);
	if (params && ctx && EVP_PKEY_fromdata_init(ctx) > 0)
		if (EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0)
			pk = NULL;
	EVP_PKEY_CTX_free(ctx);
	OSSL_PARAM_free(params);
	return pk;
}

/* Reads the public part of an SSH key of type t (already read) from r into
 * it: type, bits, SPKI fingerprint. Leaves r after the public part. For
 * dropbear's Ed25519 files, whose one string holds private||public, set
 * dropbear_ed25519. */
static bool ssh_public(iota_reader *r, const char *t, size_t tl, struct item *it,
                       bool dropbear_ed25519)
{
	EVP_PKEY *pk = NULL;
	bool ok = false;
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	BIGNUM *a = NULL, *b = NULL, *c = NULL, *d = NULL;
	if (!bld)
		return false;
	if (tl == 7 && memcmp(t, "ssh-rsa", 7) == 0) {
		snprintf(it->type, sizeof it->type, "rsa");
		a = ssh_mpint(r); /* e */
		b = ssh_mpint(r); /* n */
		if (a && b) {
			it->bits = BN_num_bits(b);
			ok = it->bits > 0;
			if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, b) &&
			    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, a))
				pk = pkey_fromdata("RSA", bld);
		}
	} else if (tl == 7 && memcmp(t, "ssh-dss", 7) == 0) {
		snprintf(it->type, sizeof it->type, "dsa");
		a = ssh_mpint(r); /* p */
		b = ssh_mpint(r); /* q */
		c = ssh_mpint(r); /* g */
		d = ssh_mpint(r); /* y */
		if (a && b && c && d) {
			it->bits = BN_num_bits(a);
			ok = it->bits > 0;
			if (OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_P, a) &&
			    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_Q, b) &&
			    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_FFC_G, c) &&
			    OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PUB_KEY, d))
				pk = pkey_fromdata("DSA", bld);
		}
	} else if ((tl == 19 || tl == 34) && memcmp(t, "ecdsa-sha2-nistp", 16) == 0) {
		/* also sk-ecdsa-sha2-nistp256@openssh.com (34) */
		uint32_t cl, ql;
		const uint8_t *curve = ssh_string(r, &cl);
		const uint8_t *q = ssh_string(r, &ql);
		static const struct {
			const char *ssh, *group;
			int bits;
		} curves[] = {
		    {"nistp256", "prime256v1", 256},
		    {"nistp384", "secp384r1", 384},
		    {"nistp521", "secp521r1", 521},
		};
		const char *group = NULL;
		for (size_t i = 0; curve && cl == 8 && i < 3; i++) {
			if (memcmp(curve, curves[i].ssh, 8) == 0) {
				group = curves[i].group;
				it->bits = curves[i].bits;
			}
		}
		snprintf(it->type, sizeof it->type, "ec");
		if (group && q && ql > 0) {
			ok = true;
			if (OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group,
			                                    0) &&
			    OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, q, ql))
				pk = pkey_fromdata("EC", bld);
		}
		if (tl == 34)
			ssh_string(r, &cl); /* application */
	} else if ((tl == 11 && memcmp(t, "ssh-ed25519", 11) == 0) ||
	           (tl == 26 && memcmp(t, "sk-ssh-ed25519@openssh.com", 26) == 0)) {
		snprintf(it->type, sizeof it->type, "ed25519");
		it->bits = 256;
		uint32_t kl;
		const uint8_t *k = ssh_string(r, &kl);
		if (dropbear_ed25519 && k && kl == 64) {
			k += 32; /* dropbear: private || public */
			kl = 32;
		}
		if (k && kl == 32) {
			ok = true;
			pk = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, k, 32);
		}
		if (tl == 26)
			ssh_string(r, &kl);
	}
	if (pk) {
		char type[24];
		int bits = it->bits;
		memcpy(type, it->type, sizeof type);
		describe_pkey(pk, it);
		memcpy(it->type, type,
		       sizeof type); /* keep the SSH name ("ec", not the OpenSSL one) */
		it->bits = bits;
		EVP_PKEY_free(pk);
	}
	BN_free(a);
	BN_free(b);
	BN_free(c);
	BN_free(d);
	OSSL_PARAM_BLD_free(bld);
	ERR_clear_error();
	return ok && !r->bad;
}

/* OpenSSH's private key format (the PEM body, base64-decoded). */
static void parse_openssh(struct kctx *c, const uint8_t *p, size_t len, uint64_t off)
{
	static const char magic[] = "openssh-key-v1";
	iota_reader r;
	iota_rd_init(&r, p, len);
	const uint8_t *m = iota_rd_bytes(&r, sizeof magic); /* with its NUL */
	if (!m || memcmp(m, magic, sizeof magic) != 0)
		return;
	uint32_t cl, kl, ol;
	const uint8_t *cipher = ssh_string(&r, &cl);
	ssh_string(&r, &kl); /* kdfname */
	ssh_string(&r, &ol); /* kdfoptions */
	uint32_t nkeys = iota_rd_u32be(&r);
	if (r.bad || !cipher || nkeys == 0 || nkeys > 16)
		return;
	bool enc = !(cl == 4 && memcmp(cipher, "none", 4) == 0);
	for (uint32_t i = 0; i < nkeys; i++) {
		uint32_t bl;
		const uint8_t *blob = ssh_string(&r, &bl);
		if (!blob)
			return;
		iota_reader br;
		iota_rd_init(&br, blob, bl);
		uint32_t tl;
		const uint8_t *t = ssh_string(&br, &tl);
		if (!t)
			continue;
		struct item *it = new_item(c, K_PRIV, off, "OpenSSH");
		if (!it)
			return;
		it->encrypted = enc;
		ssh_public(&br, (const char *)t, tl, it, false);
		ssh_fingerprint(blob, bl, it);
	}
}

/* Dropbear's key file: the whole file must parse. */
static bool parse_dropbear(struct kctx *c, const uint8_t *p, size_t len)
{
	iota_reader r;
	iota_rd_init(&r, p, len);
	uint32_t tl;
	const uint8_t *t = ssh_string(&r, &tl);
	if (!t)
		return false;
	bool rsa = tl == 7 && memcmp(t, "ssh-rsa", 7) == 0;
	bool dss = tl == 7 && memcmp(t, "ssh-dss", 7) == 0;
	bool ecdsa = tl == 19 && memcmp(t, "ecdsa-sha2-nistp", 16) == 0;
	bool ed = tl == 11 && memcmp(t, "ssh-ed25519", 11) == 0;
	if (!rsa && !dss && !ecdsa && !ed)
		return false;
	struct item tmp = {0};
	if (!ssh_public(&r, (const char *)t, tl, &tmp, true))
		return false;
	size_t pub_end = r.pos;
	/* the private part: RSA d, p, q; DSA x; ECDSA d; Ed25519 already read */
	int priv = rsa ? 3 : (dss || ecdsa) ? 1 : 0;
	for (int i = 0; i < priv; i++) {
		uint32_t l;
		if (!ssh_string(&r, &l))
			return false;
	}
	if (r.pos != len)
		return false;
	struct item *it = new_item(c, K_PRIV, 0, "dropbear");
	if (!it)
		return true;
	memcpy(it, &tmp, sizeof tmp);
	it->kind = K_PRIV;
	it->format = "dropbear";
	it->off = 0;
	it->line = 0;
	if (ed) {
		/* the public blob is type + the 32-byte public half */
		uint8_t blob[4 + 11 + 4 + 32];
		memcpy(blob, "\0\0\0\x0bssh-ed25519\0\0\0\x20", 19);
		if (iota_ld_bytes(p, len, 15 + 4 + 32, blob + 19, 32))
			ssh_fingerprint(blob, sizeof blob, it);
	} else {
		ssh_fingerprint(p, pub_end, it);
	}
	return true;
}

/* ---- PEM ---- */

static bool label_char(uint8_t ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == ' ' || ch == '#';
}

/* A PEM block quoted in source code ("-----BEGIN ...\n" "MII...\n" ...):
 * q is the quote character before the block. Keeps what is inside the
 * string literals, with their escapes decoded, and drops what joins them
 * (quotes, '+', line breaks, indentation). Returns a new buffer (iota_free)
 * or NULL. */
static char *unquote_pem(const uint8_t *p, size_t len, char q, size_t *out_len)
{
	char *o = iota_malloc(len + 1);
	if (!o)
		return NULL;
	size_t k = 0;
	bool inside = true;
	for (size_t i = 0; i < len; i++) {
		char ch = (char)p[i];
		if (!inside) {
			inside = ch == q;
			continue;
		}
		if (ch == q) {
			inside = false;
		} else if (ch == '\\' && i + 1 < len) {
			char e = (char)p[++i];
			if (e == 'n')
				o[k++] = '\n';
			else if (e != 'r')
				o[k++] = e;
		} else {
			o[k++] = ch;
		}
	}
	o[k] = '\0';
	*out_len = k;
	return o;
}

static void pem_decoded(struct kctx *c, const char *name, const char *header,
                        const unsigned char *data, long dlen, uint64_t off)
{
	const unsigned char *q = data;
	bool enc_hdr = header && strstr(header, "ENCRYPTED") != NULL;
	if (strcmp(name, "CERTIFICATE") == 0 || strcmp(name, "X509 CERTIFICATE") == 0 ||
	    strcmp(name, "TRUSTED CERTIFICATE") == 0) {
		X509 *x = name[0] == 'T' ? d2i_X509_AUX(NULL, &q, dlen) : d2i_X509(NULL, &q, dlen);
		if (x) {
			struct item *it = new_item(c, K_CERT, off, "PEM");
			if (it)
				describe_cert(x, it);
			X509_free(x);
		}
	} else if (strcmp(name, "ENCRYPTED PRIVATE KEY") == 0) {
		X509_SIG *sig = d2i_X509_SIG(NULL, &q, dlen);
		if (sig) {
			struct item *it = new_item(c, K_PRIV, off, "PEM PKCS#8");
			if (it)
				it->encrypted = true;
			X509_SIG_free(sig);
		}
	} else if (strcmp(name, "PRIVATE KEY") == 0 || strcmp(name, "RSA PRIVATE KEY") == 0 ||
	           strcmp(name, "DSA PRIVATE KEY") == 0 || strcmp(name, "EC PRIVATE KEY") == 0) {
		const char *fmt = name[0] == 'P'   ? "PEM PKCS#8"
		                  : name[0] == 'E' ? "PEM SEC1"
		                  : name[0] == 'R' ? "PEM PKCS#1"
		                                   : "PEM";
		if (enc_hdr) {
			struct item *it = new_item(c, K_PRIV, off, fmt);
			if (it) {
				it->encrypted = true;
				snprintf(it->type, sizeof it->type, "%s",
				         name[0] == 'R'   ? "rsa"
				         : name[0] == 'D' ? "dsa"
				                          : "ec");
			}
			return;
		}
		EVP_PKEY *pk = d2i_AutoPrivateKey(NULL, &q, dlen);
		if (pk) {
			struct item *it = new_item(c, K_PRIV, off, fmt);
			if (it)
				describe_pkey(pk, it);
			EVP_PKEY_free(pk);
		}
	} else if (strcmp(name, "PUBLIC KEY") == 0 || strcmp(name, "RSA PUBLIC KEY") == 0) {
		EVP_PKEY *pk = name[0] == 'P' ? d2i_PUBKEY(NULL, &q, dlen)
		                              : d2i_PublicKey(EVP_PKEY_RSA, NULL, &q, dlen);
		if (pk) {
			struct item *it = new_item(c, K_PUB, off, "PEM");
			if (it)
				describe_pkey(pk, it);
			EVP_PKEY_free(pk);
		}
	} else if (strcmp(name, "OPENSSH PRIVATE KEY") == 0) {
		parse_openssh(c, data, (size_t)dlen, off);
	}
}

/* Where the END line of each label was last found (or that there is none
 * after a point), so a file of many BEGIN lines without their END costs one
 * search per label, not one per line. */
#define END_CACHE 8
struct end_cache {
	struct {
		char label[72];
		size_t from, end; /* END at end (SIZE_MAX: none) for BEGINs from 'from' */
	} e[END_CACHE];
	unsigned n, next;
};

static const uint8_t *find_end(struct end_cache *ec, const uint8_t *d, size_t len, size_t at,
                               const char *label, const char *end, size_t el)
{
	for (unsigned i = 0; i < ec->n; i++) {
		if (strcmp(ec->e[i].label, label) != 0 || at < ec->e[i].from)
			continue;
		if (ec->e[i].end == SIZE_MAX)
			return NULL;
		if (ec->e[i].end >= at)
			return d + ec->e[i].end;
	}
	const uint8_t *e = memmem(d + at, len - at, end, el);
	unsigned slot = ec->n < END_CACHE ? ec->n++ : ec->next++ % END_CACHE;
	snprintf(ec->e[slot].label, sizeof ec->e[slot].label, "%s", label);
	ec->e[slot].from = at;
	ec->e[slot].end = e ? (size_t)(e - d) : SIZE_MAX;
	return e;
}

static void scan_pem(struct kctx *c)
{
	const uint8_t *d = c->b->data;
	size_t len = c->b->len, pos = 0;
	struct end_cache ends = {0};
	static const char begin[] = "-----BEGIN ";
	for (unsigned blocks = 0; blocks < MAX_PEM_BLOCKS && pos < len; blocks++) {
		const uint8_t *hit = memmem(d + pos, len - pos, begin, sizeof begin - 1);
		if (!hit)
			return;
		size_t at = (size_t)(hit - d), l0 = at + sizeof begin - 1, le = l0;
		pos = l0;
		while (le < len && le - l0 < 64 && label_char(d[le]))
			le++;
		if (le == l0 || le + 5 > len || memcmp(d + le, "-----", 5) != 0)
			continue;
		char label[72];
		snprintf(label, sizeof label, "%.*s", (int)(le - l0), (const char *)d + l0);
		if (skipped(c, at))
			continue;
		char end[96];
		int el = snprintf(end, sizeof end, "-----END %s-----", label);
		const uint8_t *e = find_end(&ends, d, len, at, label, end, (size_t)el);
		if (e && (size_t)(e - d) - at > MAX_PEM_BLOCK)
			e = NULL;
		if (strcmp(label, "PGP PRIVATE KEY BLOCK") == 0) {
			if (e) {
				struct item *it = new_item(c, K_PRIV, at, "OpenPGP");
				if (it)
					snprintf(it->type, sizeof it->type, "openpgp");
				pos = (size_t)(e - d) + (size_t)el;
			}
			continue;
		}
		if (!e)
			continue;
		size_t blen = (size_t)(e - d) + (size_t)el - at;
		pos = at + blen;

		char *name = NULL, *header = NULL;
		unsigned char *data = NULL;
		long dlen = 0;
		BIO *bio = BIO_new_mem_buf(d + at, (int)blen);
		int ok = bio && PEM_read_bio(bio, &name, &header, &data, &dlen);
		BIO_free(bio);
		char q = at > 0 ? (char)d[at - 1] : 0;
		if (!ok && (q == '"' || q == '\'')) {
			ERR_clear_error();
			size_t ul;
			char *u = unquote_pem(d + at, blen, q, &ul);
			bio = u ? BIO_new_mem_buf(u, (int)ul) : NULL;
			ok = bio && PEM_read_bio(bio, &name, &header, &data, &dlen);
			BIO_free(bio);
			iota_free(u);
		}
		if (ok && name && data && dlen > 0)
			pem_decoded(c, name, header, data, dlen, at);
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		ERR_clear_error();
	}
}

/* ---- DER ---- */

/* The outer SEQUENCE header at off: sets its header and total size. */
static bool der_seq(const uint8_t *d, size_t len, size_t off, size_t *hdr, size_t *total)
{
	uint8_t t, l0;
	if (!iota_ld_u8(d, len, off, &t) || t != 0x30 || !iota_ld_u8(d, len, off + 1, &l0))
		return false;
	size_t body;
	if (l0 < 0x80) {
		body = l0;
		*hdr = 2;
	} else if (l0 >= 0x81 && l0 <= 0x83) {
		unsigned nb = l0 & 0x7f;
		body = 0;
		for (unsigned i = 0; i < nb; i++) {
			uint8_t v;
			if (!iota_ld_u8(d, len, off + 2 + i, &v))
				return false;
			body = body << 8 | v;
		}
		if (body < 0x80)
			return false; /* not DER's shortest form */
		*hdr = 2 + nb;
	} else {
		return false;
	}
	*total = *hdr + body;
	return *total <= len - off;
}

/* True if the body [off, off+n) is a run of well-formed TLVs (low tag
 * numbers, definite DER lengths) that fills it exactly: random bytes that
 * happen to start like a key fail here, before OpenSSL is asked. */
static bool der_children_ok(const uint8_t *d, size_t len, size_t off, size_t n)
{
	size_t end = off + n;
	for (unsigned k = 0; off < end; k++) {
		uint8_t tag, l0;
		if (k == 64 || !iota_ld_u8(d, len, off, &tag) || (tag & 0x1f) == 0x1f ||
		    !iota_ld_u8(d, len, off + 1, &l0))
			return false;
		size_t body = l0, hdr = 2;
		if (l0 >= 0x80) {
			unsigned nb = l0 & 0x7f;
			if (nb == 0 || nb > 3)
				return false;
			body = 0;
			for (unsigned i = 0; i < nb; i++) {
				uint8_t v;
				if (!iota_ld_u8(d, len, off + 2 + i, &v))
					return false;
				body = body << 8 | v;
			}
			hdr += nb;
		}
		if (hdr + body > end - off)
			return false;
		off += hdr + body;
	}
	return off == end;
}

enum der_guess { G_NONE, G_CERT, G_PRIV };

/* A cheap look at the bytes after the outer header. */
static enum der_guess der_guess(const uint8_t *d, size_t len, size_t off, size_t hdr, size_t total)
{
	size_t i = off + hdr;
	uint8_t b0, b1, b2, b3, b4;
	if (!iota_ld_u8(d, len, i, &b0) || !iota_ld_u8(d, len, i + 1, &b1) ||
	    !iota_ld_u8(d, len, i + 2, &b2) || !iota_ld_u8(d, len, i + 3, &b3) ||
	    !iota_ld_u8(d, len, i + 4, &b4))
		return G_NONE;
	/* Certificate ::= SEQUENCE { TBSCertificate SEQUENCE { [0] version ... */
	if (total >= 200 && b0 == 0x30 && (b1 == 0x82 || b1 == 0x83)) {
		size_t j = i + 2 + (b1 & 0x7f);
		static const uint8_t v3[] = {0xa0, 0x03, 0x02, 0x01};
		if (iota_ld_match(d, len, j, v3, sizeof v3))
			return G_CERT;
	}
	/* PKCS#1 RSA / OpenSSL DSA: INTEGER 0, INTEGER (long) */
	if (b0 == 0x02 && b1 == 0x01 && b2 == 0x00 && b3 == 0x02 && (b4 == 0x81 || b4 == 0x82))
		return G_PRIV;
	/* PKCS#8: INTEGER 0|1, AlgorithmIdentifier SEQUENCE { OID ... */
	if (b0 == 0x02 && b1 == 0x01 && (b2 == 0x00 || b2 == 0x01) && b3 == 0x30 && b4 < 0x80) {
		uint8_t t;
		if (iota_ld_u8(d, len, i + 5, &t) && t == 0x06)
			return G_PRIV;
	}
	/* SEC 1 ECPrivateKey: INTEGER 1, OCTET STRING of 24..66 bytes */
	if (b0 == 0x02 && b1 == 0x01 && b2 == 0x01 && b3 == 0x04 && b4 >= 24 && b4 <= 66)
		return G_PRIV;
	return G_NONE;
}

static void scan_der(struct kctx *c)
{
	const uint8_t *d = c->b->data;
	size_t len = c->b->len;
	for (size_t off = 0; off + 4 < len && c->der_tries < MAX_DER_TRIES;) {
		const uint8_t *hit = memchr(d + off, 0x30, len - off);
		if (!hit)
			return;
		off = (size_t)(hit - d);
		size_t hdr, total;
		enum der_guess g;
		if (skipped(c, off) || !der_seq(d, len, off, &hdr, &total) ||
		    (g = der_guess(d, len, off, hdr, total)) == G_NONE ||
		    !der_children_ok(d, len, off + hdr, total - hdr)) {
			off++;
			continue;
		}
		c->der_tries++;
		const unsigned char *q = d + off;
		bool used = false;
		if (g == G_CERT) {
			X509 *x = d2i_X509(NULL, &q, (long)total);
			if (x && (size_t)(q - (d + off)) == total) {
				struct item *it = new_item(c, K_CERT, off, "DER");
				if (it)
					describe_cert(x, it);
				used = true;
			}
			X509_free(x);
		} else {
			EVP_PKEY *pk = d2i_AutoPrivateKey(NULL, &q, (long)total);
			if (pk && (size_t)(q - (d + off)) == total) {
				struct item *it = new_item(c, K_PRIV, off, "DER");
				if (it)
					describe_pkey(pk, it);
				used = true;
			}
			EVP_PKEY_free(pk);
		}
		ERR_clear_error();
		off += used ? total : 1;
	}
}

static bool has_suffix(const char *name, const char *const *sfx)
{
	size_t nl = strlen(name);
	for (; *sfx; sfx++) {
		size_t sl = strlen(*sfx);
		if (nl > sl && strcasecmp(name + nl - sl, *sfx) == 0)
			return true;
	}
	return false;
}

/* Whole-file DER forms that scan_der does not look for everywhere. */
static void whole_file(struct kctx *c)
{
	static const char *const p12[] = {".p12", ".pfx", NULL};
	static const char *const der[] = {".der", ".crt", ".cer", ".key", ".p8", ".pk8", NULL};
	const uint8_t *d = c->b->data;
	size_t len = c->b->len, hdr, total;
	if (c->nitems || !der_seq(d, len, 0, &hdr, &total))
		return;
	/* PFX ::= SEQUENCE { version INTEGER (3), authSafe ContentInfo, ... } */
	static const uint8_t v3[] = {0x02, 0x01, 0x03, 0x30};
	if (has_suffix(c->n->name, p12) || iota_ld_match(d, len, hdr, v3, sizeof v3)) {
		const unsigned char *q = d;
		PKCS12 *p = d2i_PKCS12(NULL, &q, (long)len);
		if (p) {
			EVP_PKEY *pk = NULL;
			X509 *x = NULL;
			STACK_OF(X509) *ca = NULL;
			bool open = PKCS12_parse(p, "", &pk, &x, &ca) == 1;
			if (!open) {
				ERR_clear_error();
				open = PKCS12_parse(p, NULL, &pk, &x, &ca) == 1;
			}
			if (open) {
				if (pk) {
					struct item *it =
					    new_item(c, K_PRIV, 0, "PKCS#12, empty password");
					if (it)
						describe_pkey(pk, it);
				}
				if (x) {
					struct item *it = new_item(c, K_CERT, 0, "PKCS#12");
					if (it)
						describe_cert(x, it);
				}
			} else {
				struct item *it = new_item(c, K_PRIV, 0, "PKCS#12");
				if (it)
					it->encrypted = true;
			}
			EVP_PKEY_free(pk);
			X509_free(x);
			sk_X509_pop_free(ca, X509_free);
			PKCS12_free(p);
			ERR_clear_error();
			return;
		}
		ERR_clear_error();
	}
	if (!has_suffix(c->n->name, der) || total != len)
		return;
	const unsigned char *q = d;
	X509_SIG *sig = d2i_X509_SIG(NULL, &q, (long)len);
	if (sig && (size_t)(q - d) == len) {
		struct item *it = new_item(c, K_PRIV, 0, "DER PKCS#8");
		if (it)
			it->encrypted = true;
	} else {
		q = d;
		EVP_PKEY *pk = d2i_PUBKEY(NULL, &q, (long)len);
		if (pk && (size_t)(q - d) == len) {
			struct item *it = new_item(c, K_PUB, 0, "DER");
			if (it)
				describe_pkey(pk, it);
		}
		EVP_PKEY_free(pk);
	}
	X509_SIG_free(sig);
	ERR_clear_error();
}

/* ---- verdicts ---- */

/* A path in a system trust store: matched on the path inside the file
 * system without its leading directories, so a scan of /usr/share and one
 * of the whole image agree. */
static bool trust_store_path(const char *path, const char *name)
{
	static const char *const dirs[] = {
	    "ssl/certs/",        "ca-certificates/", "pki/tls/",        "pki/ca-trust/",
	    "security/cacerts/", "ssl/cert.pem",     "share/ca-certs/", NULL,
	};
	for (const char *const *p = dirs; *p; p++)
		if (strstr(path, *p))
			return true;
	/* OpenSSL's hashed names: 8 hex digits, '.', a digit */
	size_t nl = strlen(name);
	if (nl == 10 && name[8] == '.' && isdigit((unsigned char)name[9])) {
		bool hx = true;
		for (int i = 0; i < 8; i++)
			hx = hx && isxdigit((unsigned char)name[i]);
		if (hx)
			return true;
	}
	return strstr(name, "ca-bundle") || strstr(name, "ca-certificates") ||
	       strstr(name, "cacert");
}

/* Weakness of a key: NULL if none, else the reason; sets the severity. */
static const char *weak_key(const struct item *it, iota_severity *sev)
{
	if (strcmp(it->type, "rsa") == 0 && it->bits > 0 && it->bits < 2048) {
		*sev = it->bits < 1024 ? IOTA_SEV_HIGH : IOTA_SEV_MEDIUM;
		return "RSA keys under 2048 bits are below current minimums (NIST SP 800-131A)";
	}
	if (strcmp(it->type, "dsa") == 0) {
		*sev = IOTA_SEV_MEDIUM;
		return "DSA is deprecated (FIPS 186-5) and disabled in OpenSSH";
	}
	if (strcmp(it->type, "ec") == 0 && it->bits > 0 && it->bits < 256) {
		*sev = IOTA_SEV_MEDIUM;
		return "elliptic-curve keys under 256 bits are below current minimums";
	}
	return NULL;
}

static void describe(const struct item *it, char *out, size_t cap)
{
	char size[16] = "";
	if (it->bits)
		snprintf(size, sizeof size, " %d-bit", it->bits);
	if (!it->type[0]) {
		snprintf(out, cap, "%s of unknown type",
		         it->kind == K_PRIV  ? "private key"
		         : it->kind == K_PUB ? "public key"
		                             : "key");
		return;
	}
	snprintf(out, cap, "%s%s%s", it->type, size,
	         it->kind == K_CERT   ? ""
	         : it->kind == K_PRIV ? " private key"
	                              : " public key");
}

static void emitf(struct kctx *c, const struct item *it, const char *check, iota_severity sev,
                  const char *evidence, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void emitf(struct kctx *c, const struct item *it, const char *check, iota_severity sev,
                  const char *evidence, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	iota_finding_emit(c->s, &(iota_finding){.check = check,
	                                        .severity = sev,
	                                        .confidence = 100,
	                                        .node = c->n,
	                                        .offset = it->line ? UINT64_MAX : it->off,
	                                        .line = it->line,
	                                        .message = msg,
	                                        .evidence = evidence});
}

static void report(struct kctx *c)
{
	size_t ca = 0, certs = 0, keys = 0, expired = 0;
	for (size_t i = 0; i < c->nitems; i++) {
		if (c->items[i].kind == K_CERT) {
			certs++;
			ca += c->items[i].ca;
			expired += c->items[i].expired;
		} else if (c->items[i].kind == K_PRIV) {
			keys++;
		}
	}
	bool store = trust_store_path(c->path, c->n->name);
	bool bundle =
	    certs && keys == 0 &&
	    ((c->ncerts_total >= BUNDLE_MIN && ca * 2 >= certs) || (store && ca == certs));
	if (bundle) {
		iota_node_attr(c->s, c->n, "key.ca_bundle", "%zu certificates", c->ncerts_total);
		if (expired)
			iota_node_attr(c->s, c->n, "key.ca_bundle_expired", "%zu", expired);
	}

	for (size_t i = 0; i < c->nitems; i++) {
		const struct item *it = &c->items[i];
		char what[96], ev[512], fp[96] = "";
		describe(it, what, sizeof what);
		if (it->spki[0])
			snprintf(fp, sizeof fp, ", SPKI SHA-256 %s", it->spki);
		else if (it->sshfp[0])
			snprintf(fp, sizeof fp, ", %s", it->sshfp);
		iota_severity sev;
		const char *why = weak_key(it, &sev);

		if (i < MAX_ATTR_ITEMS && !bundle) {
			char key[48];
			static const char *const kinds[] = {"certificate", "private-key",
			                                    "public-key"};
			snprintf(key, sizeof key, "key.%zu.kind", i);
			iota_node_attr(c->s, c->n, key, "%s", kinds[it->kind]);
			snprintf(key, sizeof key, "key.%zu.format", i);
			iota_node_attr(c->s, c->n, key, "%s", it->format);
			if (it->type[0]) {
				snprintf(key, sizeof key, "key.%zu.type", i);
				iota_node_attr(c->s, c->n, key, "%s", it->type);
			}
			if (it->bits) {
				snprintf(key, sizeof key, "key.%zu.bits", i);
				iota_node_attr(c->s, c->n, key, "%d", it->bits);
			}
			if (it->kind == K_PRIV) {
				snprintf(key, sizeof key, "key.%zu.encrypted", i);
				iota_node_attr(c->s, c->n, key, "%s", it->encrypted ? "yes" : "no");
			}
			if (it->spki[0]) {
				snprintf(key, sizeof key, "key.%zu.spki_sha256", i);
				iota_node_attr(c->s, c->n, key, "%s", it->spki);
			}
			if (it->sshfp[0]) {
				snprintf(key, sizeof key, "key.%zu.ssh_fingerprint", i);
				iota_node_attr(c->s, c->n, key, "%s", it->sshfp);
			}
			if (it->kind == K_CERT) {
				snprintf(key, sizeof key, "key.%zu.subject", i);
				iota_node_attr(c->s, c->n, key, "%s", it->subject);
				snprintf(key, sizeof key, "key.%zu.not_after", i);
				iota_node_attr(c->s, c->n, key, "%s", it->not_after);
			}
		}

		if (it->kind == K_PRIV) {
			snprintf(ev, sizeof ev, "%s (%s%s)%s", what, it->format,
			         it->encrypted ? ", encrypted" : "", fp);
			emitf(c, it, "key.private-key",
			      it->encrypted ? IOTA_SEV_MEDIUM : IOTA_SEV_HIGH, ev,
			      "%s %s in the image: every unit running it shares the key%s", what,
			      it->encrypted ? "(encrypted; the passphrase must be on the device "
			                      "too)"
			                    : "(unencrypted)",
			      it->format[0] == 'P' && strstr(it->format, "PKCS#12") && it->encrypted
			          ? " (a password-protected PKCS#12 file, contents unread)"
			          : "");
			if (why) {
				emitf(c, it, "key.weak-key", sev, ev, "weak %s: %s", what, why);
			}
			continue;
		}
		if (it->kind == K_PUB) {
			if (why) {
				snprintf(ev, sizeof ev, "%s (%s)%s", what, it->format, fp);
				emitf(c, it, "key.weak-key", sev, ev, "weak %s: %s", what, why);
			}
			continue;
		}
		/* certificates */
		if (bundle || (store && it->ca))
			continue;
		snprintf(ev, sizeof ev, "subject %s, not after %s, %s key%s", it->subject,
		         it->not_after, what, fp);
		if (it->expired)
			emitf(c, it, "key.cert-expired", IOTA_SEV_MEDIUM, ev,
			      "certificate expired on %s (%s)", it->not_after, it->subject);
		/* a CA root at the end of a chain file is expected to be self-signed */
		if (it->self_signed && (!it->ca || certs == 1))
			emitf(c, it, "key.cert-self-signed", IOTA_SEV_LOW, ev,
			      "self-signed %scertificate (%s): clients cannot verify it through a "
			      "trusted CA, so they must pin it or not verify at all%s",
			      it->ca ? "CA " : "", it->subject,
			      it->ca ? " (outside the trust store: a private root, or a server "
			               "certificate made with 'openssl req -x509')"
			             : "");
		if (it->weak_md && !it->self_signed)
			emitf(c, it, "key.cert-weak-signature",
			      strcmp(it->weak_md, "SHA1") == 0 ? IOTA_SEV_MEDIUM : IOTA_SEV_HIGH,
			      ev,
			      "certificate signed with %s, which allows forged certificates "
			      "(collisions) (%s)",
			      it->weak_md, it->subject);
		if (why)
			emitf(c, it, "key.cert-weak-key", sev, ev,
			      "certificate with a weak %s: %s (%s)", what, why, it->subject);
	}
}

/* ---- the analyzer ---- */

static int wants(const iota_node *n, const uint8_t *head, size_t head_len)
{
	(void)n;
	(void)head;
	return head_len > 0;
}

static void run_file(iota_scan *s, iota_node *n, const iota_blob *b)
{
	if (b->len < 16)
		return;
	struct kctx *c = iota_calloc(1, sizeof *c);
	if (!c)
		return;
	c->items = iota_calloc(MAX_ITEMS, sizeof *c->items);
	if (!c->items) {
		iota_free(c);
		return;
	}
	c->s = s;
	c->n = n;
	c->b = b;
	c->line_no = 1;
	size_t head = b->len < 8192 ? b->len : 8192;
	c->text = memchr(b->data, '\0', head) == NULL;
	if (iota_node_inner_path(n, c->path, sizeof c->path) < 0)
		c->path[0] = '\0';
	/* bytes of containers unpacked from this file are analyzed as their members */
	for (iota_node *ch = n->first_child; ch && c->nskip < MAX_SKIP; ch = ch->next_sibling) {
		if (ch->kind != IOTA_NODE_CONTAINER)
			continue;
		c->skip[c->nskip].from = ch->offset;
		c->skip[c->nskip].to = ch->size ? ch->offset + ch->size : UINT64_MAX;
		c->nskip++;
	}

	if (!parse_dropbear(c, b->data, b->len)) {
		scan_pem(c);
		if (!c->text)
			scan_der(c);
		else if (b->len > 0 && b->data[0] == 0x30)
			scan_der(c); /* a DER file that happens to hold no NUL early */
		whole_file(c);
	}
	if (c->nitems)
		report(c);
	iota_free(c->items);
	iota_free(c);
}

const iota_analyzer iota_analyzer_keys = {
    .name = "keys",
    .description = "private keys, weak keys and certificates (PEM, DER, PKCS#8/#12, OpenSSH, "
                   "dropbear)",
    .wants = wants,
    .run_file = run_file,
};
