/* config_tenant: the towns one plenum serves — `[tenant ID]` sections of the configuration file,
 * each key checked as it is read (files are read then: secrets, key, logo), the checks across keys
 * and tenants after the file (host names unique, brand colours that pass WCAG AA), and their part
 * of --print-config. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/config_int.h"
#include "base/color.h"
#include "base/utf8.h"

#define NAME_MAX_BYTES 64
#define WELCOME_MAX 500
#define PEM_MAX 16384
#define HS256_MIN 32
#define ADMIN_TOKEN_MIN 32
#define AA_TEXT 4.5                   /* WCAG 2.1 AA, normal text */

/* What one tenant owns besides its signal_tenant_config: the values read from files, the paths. */
struct app_tenant_data {
	unsigned char secret[APP_SECRET_MAX];
	char admin[APP_SECRET_MAX + 1];
	char *pem, *logo_bytes;
	char *hosts[SIGNAL_TENANT_HOSTS_MAX], *origins[SIGNAL_EMBED_ORIGINS_MAX];
	const char *secret_path, *admin_path, *pem_path, *logo_path;   /* values of the file */
	const char *color_text, *contrast_text;
	bool open_rooms_set;
	bool out_set[SIGNAL_OUT_COUNT];   /* recording / streaming given in the section */
};

static struct signal_tenant_config *current(struct app_config *c)
{
	return c->n_tenants ? &c->tenants[c->n_tenants - 1] : NULL;
}

int app_tenant_begin(struct app_config *c, const char *id, FILE *err)
{
	size_t n = strlen(id);
	bool ok = n >= 1 && n <= SIGNAL_TENANT_ID_MAX;
	for (size_t i = 0; ok && i < n; i++)
		ok = (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-';
	if (!ok) {
		fprintf(err, "[tenant %s]: a tenant's id is 1 to 32 characters of a-z, 0-9 and '-'", id);
		return -1;
	}
	for (size_t i = 0; i < c->n_tenants; i++)
		if (strcmp(c->tenants[i].id, id) == 0) {
			fprintf(err, "[tenant %s] is there twice", id);
			return -1;
		}
	if (c->n_tenants == SIGNAL_TENANTS_MAX) {
		fprintf(err, "more than %d tenants", SIGNAL_TENANTS_MAX);
		return -1;
	}
	if (!c->tenants) {
		c->tenants = calloc(SIGNAL_TENANTS_MAX, sizeof *c->tenants);
		c->tenant_data = calloc(SIGNAL_TENANTS_MAX, sizeof *c->tenant_data);
		if (!c->tenants || !c->tenant_data) {
			fprintf(err, "out of memory");
			return -1;
		}
	}
	struct signal_tenant_config *t = &c->tenants[c->n_tenants++];
	memset(t, 0, sizeof *t);
	snprintf(t->id, sizeof t->id, "%s", id);
	return 0;
}

static int text_ok(const char *v, size_t min, size_t max)
{
	size_t n = strlen(v);
	if (n < min || n > max || !utf8_valid((const unsigned char *)v, n))
		return 0;
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t k = utf8_next((const unsigned char *)v + i, n - i, &cp);
		if (!k || utf8_is_control(cp))
			return 0;
		i += k;
	}
	return 1;
}

static bool host_name_ok(const char *h, size_t n)
{
	if (n == 0 || n > 253 || h[0] == '.' || h[0] == '-' || h[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = h[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.'))
			return false;
		if (ch == '.' && h[i + 1] == '.')
			return false;
	}
	return true;
}

static void free_list(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(list[i]);
		list[i] = NULL;
	}
}

/* Splits "a, b ,c" into at most max lower-cased, trimmed copies; -1 on too many or an empty item. */
static int split_list(const char *v, char **out, size_t max, size_t *n_out)
{
	size_t n = 0;
	for (const char *p = v; *p;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *end = p + strcspn(p, ",");
		const char *stop = end;
		while (stop > p && (stop[-1] == ' ' || stop[-1] == '\t'))
			stop--;
		if (stop == p || n == max || !(out[n] = strndup(p, (size_t)(stop - p))))
			goto fail;
		n++;
		p = *end ? end + 1 : end;
		if (*end && !*p)
			goto fail;   /* a trailing comma */
	}
	*n_out = n;
	if (n)
		return 0;
fail:
	free_list(out, n);
	return -1;
}

static int set_hosts(struct app_config *c, struct signal_tenant_config *t, struct app_tenant_data *d,
                     const char *v, FILE *err)
{
	free_list(d->hosts, t->n_hosts);
	t->n_hosts = 0;
	size_t n = 0;
	if (split_list(v, d->hosts, SIGNAL_TENANT_HOSTS_MAX, &n) != 0) {
		fprintf(err, "hosts: a comma-separated list of 1 to %d host names", SIGNAL_TENANT_HOSTS_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		for (char *p = d->hosts[i]; *p; p++)
			*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
		if (!host_name_ok(d->hosts[i], strlen(d->hosts[i]))) {
			fprintf(err, "hosts: '%s' is not a host name (no scheme, no port)", d->hosts[i]);
			free_list(d->hosts, n);
			return -1;
		}
		t->hosts[i] = d->hosts[i];
	}
	t->n_hosts = n;
	(void)c;
	return 0;
}

static int set_origins(struct signal_tenant_config *t, struct app_tenant_data *d, const char *v, FILE *err)
{
	free_list(d->origins, t->n_embed_origins);
	t->n_embed_origins = 0;
	size_t n = 0;
	if (split_list(v, d->origins, SIGNAL_EMBED_ORIGINS_MAX, &n) != 0) {
		fprintf(err, "embed-origins: a comma-separated list of 1 to %d origins", SIGNAL_EMBED_ORIGINS_MAX);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (signal_origin_check(d->origins[i]) != 0) {
			fprintf(err, "embed-origins: '%s' is not an origin like https://www.example.de", d->origins[i]);
			free_list(d->origins, n);
			return -1;
		}
		t->embed_origins[i] = d->origins[i];
	}
	t->n_embed_origins = n;
	return 0;
}

static int set_count(const char *key, const char *v, unsigned max, unsigned *out, FILE *err)
{
	char *end;
	errno = 0;
	unsigned long n = strtoul(v, &end, 10);
	if (errno || !*v || *end || v[0] == '-' || n < 1 || n > max) {
		fprintf(err, "%s must be 1..%u (got '%s')", key, max, v);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

/* A whole small file into a new buffer (NUL-terminated); -1 with a message. */
static char *read_small_file(const char *key, const char *path, size_t max, size_t *len, FILE *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	struct stat st;
	if (fd < 0) {
		fprintf(err, "%s: cannot read '%s': %s", key, path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 || (size_t)st.st_size > max) {
		fprintf(err, "%s: '%s' is not a regular file of 1 to %zu bytes", key, path, max);
		close(fd);
		return NULL;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	size_t n = 0;
	while (buf && n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (!buf || n != (size_t)st.st_size) {
		fprintf(err, "%s: cannot read '%s'", key, path);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static const char *logo_type(const char *path, const char *bytes, size_t len)
{
	const char *dot = strrchr(path, '.');
	if (!dot)
		return NULL;
	if (strcasecmp(dot, ".svg") == 0)
		return memmem(bytes, len, "<svg", 4) ? "image/svg+xml" : NULL;
	if (strcasecmp(dot, ".png") == 0)
		return len > 8 && memcmp(bytes, "\x89PNG\r\n\x1a\n", 8) == 0 ? "image/png" : NULL;
	if (strcasecmp(dot, ".webp") == 0)
		return len > 12 && memcmp(bytes, "RIFF", 4) == 0 && memcmp(bytes + 8, "WEBP", 4) == 0 ? "image/webp" : NULL;
	if (strcasecmp(dot, ".jpg") == 0 || strcasecmp(dot, ".jpeg") == 0)
		return len > 3 && memcmp(bytes, "\xff\xd8\xff", 3) == 0 ? "image/jpeg" : NULL;
	return NULL;
}

static int set_logo(struct signal_tenant_config *t, struct app_tenant_data *d, const char *v, FILE *err)
{
	size_t len = 0;
	char *bytes = read_small_file("logo", v, SIGNAL_LOGO_MAX, &len, err);
	if (!bytes)
		return -1;
	const char *type = logo_type(v, bytes, len);
	if (!type) {
		fprintf(err, "logo: '%s' is not an SVG, PNG, WebP or JPEG file (by its name and its first bytes)", v);
		free(bytes);
		return -1;
	}
	free(d->logo_bytes);
	d->logo_bytes = bytes;
	d->logo_path = v;
	t->logo = (const unsigned char *)bytes;
	t->logo_len = len;
	t->logo_type = type;
	return 0;
}

static int set_secret(const char *key, const char *v, size_t min, char *out, size_t *len, const char *what, FILE *err)
{
	char msg[600];
	if (app_read_secret_file(v, out, APP_SECRET_MAX, len, what, msg, sizeof msg) != 0) {
		fprintf(err, "%s: %s", key, msg);
		return -1;
	}
	if (*len < min) {
		explicit_bzero(out, APP_SECRET_MAX);
		fprintf(err, "%s: '%s' holds %zu bytes; at least %zu are needed (e.g. `openssl rand -hex 32 > FILE`)",
		        key, v, *len, min);
		return -1;
	}
	return 0;
}

/* Keys are written with dashes; underscores are accepted too. */
static bool key_is(const char *key, const char *name)
{
	for (; *key && *name; key++, name++)
		if (*key != *name && !(*key == '_' && *name == '-'))
			return false;
	return !*key && !*name;
}

int app_tenant_key(struct app_config *c, const char *key, const char *v, FILE *err)
{
	struct signal_tenant_config *t = current(c);
	struct app_tenant_data *d = &c->tenant_data[c->n_tenants - 1];
	if (key_is(key, "hosts"))
		return set_hosts(c, t, d, v, err);
	if (key_is(key, "name")) {
		if (!text_ok(v, 1, NAME_MAX_BYTES)) {
			fprintf(err, "name: 1 to %d bytes of text", NAME_MAX_BYTES);
			return -1;
		}
		t->name = v;
		return 0;
	}
	if (key_is(key, "welcome")) {
		if (!text_ok(v, 1, WELCOME_MAX)) {
			fprintf(err, "welcome: 1 to %d bytes of text on one line", WELCOME_MAX);
			return -1;
		}
		t->welcome = v;
		return 0;
	}
	if (key_is(key, "imprint-url") || key_is(key, "privacy-url")) {
		if (strncmp(v, "https://", 8) != 0 && strncmp(v, "http://", 7) != 0 && v[0] != '/') {
			fprintf(err, "%s: an http(s):// URL or a path on this server", key);
			return -1;
		}
		*(key[0] == 'i' ? &t->imprint_url : &t->privacy_url) = v;
		return 0;
	}
	if (key_is(key, "language")) {
		if (strcmp(v, "de") != 0 && strcmp(v, "en") != 0) {
			fprintf(err, "language: de or en (got '%s')", v);
			return -1;
		}
		t->language = v;
		return 0;
	}
	if (key_is(key, "logo"))
		return set_logo(t, d, v, err);
	if (key_is(key, "color") || key_is(key, "color-contrast")) {
		struct color col;
		if (color_parse(v, &col) != 0) {
			fprintf(err, "%s: a colour like #0b5cad (got '%s')", key, v);
			return -1;
		}
		*(key_is(key, "color") ? &d->color_text : &d->contrast_text) = v;
		return 0;
	}
	if (key_is(key, "max-room-size") || key_is(key, "max-room-participants"))
		return set_count(key, v, 10000, &t->max_room_participants, err);
	if (key_is(key, "max-rooms"))
		return set_count(key, v, 100000, &t->max_rooms, err);
	if (key_is(key, "open-rooms")) {
		if (strcmp(v, "anyone") != 0 && strcmp(v, "token") != 0) {
			fprintf(err, "open-rooms: anyone or token (got '%s')", v);
			return -1;
		}
		t->token_required = strcmp(v, "token") == 0;
		d->open_rooms_set = true;
		return 0;
	}
	if (key_is(key, "embed-origins"))
		return set_origins(t, d, v, err);
	if (key_is(key, "recording") || key_is(key, "streaming")) {
		enum signal_out w = key_is(key, "recording") ? SIGNAL_OUT_RECORDING : SIGNAL_OUT_STREAMING;
		if (strcmp(v, "on") != 0 && strcmp(v, "off") != 0) {
			fprintf(err, "%s: on or off (got '%s')", key, v);
			return -1;
		}
		t->out_off[w] = strcmp(v, "off") == 0;
		d->out_set[w] = true;
		return 0;
	}
	if (key_is(key, "token-secret-file")) {
		if (set_secret(key, v, HS256_MIN, (char *)d->secret, &t->token_secret_len, "the portal's HS256 secret", err))
			return -1;
		d->secret_path = v;
		t->token_secret = d->secret;
		return 0;
	}
	if (key_is(key, "admin-token-file")) {
		size_t len = 0;
		if (set_secret(key, v, ADMIN_TOKEN_MIN, d->admin, &len, "the town's admin token", err))
			return -1;
		d->admin[len] = '\0';
		d->admin_path = v;
		t->admin_token = d->admin;
		return 0;
	}
	if (key_is(key, "token-public-key")) {
		size_t len = 0;
		char *pem = read_small_file(key, v, PEM_MAX, &len, err);
		if (!pem)
			return -1;
		if (!strstr(pem, "-----BEGIN PUBLIC KEY-----")) {
			fprintf(err, "%s: '%s' is no PEM public key (-----BEGIN PUBLIC KEY-----)", key, v);
			free(pem);
			return -1;
		}
		free(d->pem);
		d->pem = pem;
		d->pem_path = v;
		t->token_public_pem = pem;
		return 0;
	}
	fprintf(err, "unknown key '%s' in [tenant %s] (see docs/operations.md: hosts, name, logo, color, "
	        "color-contrast, imprint-url, privacy-url, language, welcome, max-room-size, max-rooms, open-rooms, "
	        "embed-origins, recording, streaming, token-secret-file, token-public-key, admin-token-file)", key, t->id);
	return -1;
}

/* The brand colours a page uses: the colour itself (links and outlined buttons on white, filled
 * buttons), a darker one for hover, a pale one for hover backgrounds, and the text on the colour. */
static int check_colors(struct signal_tenant_config *t, struct app_tenant_data *d, FILE *err)
{
	if (!d->color_text) {
		if (d->contrast_text) {
			fprintf(err, "plenum: [tenant %s]: color-contrast needs color\n", t->id);
			return -1;
		}
		return 0;
	}
	const struct color white = { 255, 255, 255 }, black = { 0, 0, 0 };
	struct color brand, text = white;
	color_parse(d->color_text, &brand);
	if (d->contrast_text)
		color_parse(d->contrast_text, &text);
	struct color strong = color_mix(brand, black, 0.2), soft = color_mix(brand, white, 0.9);
	double on_white = color_contrast(brand, white), on_brand = color_contrast(text, brand),
	       on_soft = color_contrast(brand, soft), on_strong = color_contrast(text, strong);
	const char *what = NULL;
	double got = 0;
	if (on_white < AA_TEXT)
		what = "against the white page (links, outlined buttons)", got = on_white;
	else if (on_brand < AA_TEXT)
		what = "with its text colour (filled buttons; see color-contrast)", got = on_brand;
	else if (on_soft < AA_TEXT)
		what = "against its pale hover background", got = on_soft;
	else if (on_strong < AA_TEXT)
		what = "of the text on its darker hover shade", got = on_strong;
	if (what) {
		fprintf(err, "plenum: [tenant %s]: color %s has a contrast of %.2f:1 %s; WCAG 2.1 AA needs 4.5:1 — "
		        "choose a darker colour\n", t->id, d->color_text, got, what);
		return -1;
	}
	color_format(brand, t->color);
	color_format(strong, t->color_strong);
	color_format(soft, t->color_soft);
	color_format(text, t->color_contrast);
	return 0;
}

int app_tenants_check(struct app_config *c, FILE *err)
{
	for (size_t i = 0; i < c->n_tenants; i++) {
		struct signal_tenant_config *t = &c->tenants[i];
		struct app_tenant_data *d = &c->tenant_data[i];
		bool is_default = c->default_tenant && strcmp(c->default_tenant, t->id) == 0;
		if (!t->n_hosts && !is_default) {
			fprintf(err, "plenum: [tenant %s] has no hosts (only the default-tenant may go without)\n", t->id);
			return -1;
		}
		if (t->token_required && !t->token_secret && !t->token_public_pem) {
			fprintf(err, "plenum: [tenant %s]: open-rooms = token needs token-secret-file or token-public-key\n", t->id);
			return -1;
		}
		if (check_colors(t, d, err) != 0)
			return -1;
		for (int w = 0; w < SIGNAL_OUT_COUNT; w++)
			if (d->out_set[w] && !t->out_off[w] && c->out_off[w]) {
				const char *what = w == SIGNAL_OUT_RECORDING ? "recording" : "streaming";
				fprintf(err, "plenum: [tenant %s]: %s = on, but the server has %s = off (a tenant can only "
				        "switch off what the server offers)\n", t->id, what, what);
				return -1;
			}
		for (size_t h = 0; h < t->n_hosts; h++)
			for (size_t j = 0; j <= i; j++)
				for (size_t k = 0; k < c->tenants[j].n_hosts && !(j == i && k >= h); k++)
					if (strcmp(t->hosts[h], c->tenants[j].hosts[k]) == 0) {
						fprintf(err, "plenum: host %s belongs to [tenant %s] and [tenant %s]\n", t->hosts[h],
						        c->tenants[j].id, t->id);
						return -1;
					}
	}
	if (c->default_tenant) {
		size_t i = 0;
		while (i < c->n_tenants && strcmp(c->tenants[i].id, c->default_tenant) != 0)
			i++;
		if (i == c->n_tenants) {
			fprintf(err, "plenum: default-tenant = %s: there is no [tenant %s]\n", c->default_tenant, c->default_tenant);
			return -1;
		}
	}
	return 0;
}

static void show_list(FILE *out, const char *key, const char *const *list, size_t n)
{
	if (!n)
		return;
	fprintf(out, "%s = ", key);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "%s%s", i ? ", " : "", list[i]);
	fputc('\n', out);
}

static void show_text(FILE *out, const char *key, const char *v)
{
	if (v)
		fprintf(out, "%s = %s\n", key, v);
}

void app_tenants_write(const struct app_config *c, FILE *out)
{
	if (c->default_tenant)
		fprintf(out, "default-tenant = %s\n", c->default_tenant);
	for (size_t i = 0; i < c->n_tenants; i++) {
		const struct signal_tenant_config *t = &c->tenants[i];
		const struct app_tenant_data *d = &c->tenant_data[i];
		fprintf(out, "\n[tenant %s]\n", t->id);
		show_list(out, "hosts", t->hosts, t->n_hosts);
		show_text(out, "name", t->name);
		show_text(out, "logo", d->logo_path);
		show_text(out, "color", d->color_text);
		show_text(out, "color-contrast", d->contrast_text);
		show_text(out, "imprint-url", t->imprint_url);
		show_text(out, "privacy-url", t->privacy_url);
		show_text(out, "language", t->language);
		show_text(out, "welcome", t->welcome);
		if (t->max_room_participants)
			fprintf(out, "max-room-size = %u\n", t->max_room_participants);
		if (t->max_rooms)
			fprintf(out, "max-rooms = %u\n", t->max_rooms);
		if (d->open_rooms_set || t->token_required)
			fprintf(out, "open-rooms = %s\n", t->token_required ? "token" : "anyone");
		show_list(out, "embed-origins", t->embed_origins, t->n_embed_origins);
		if (d->out_set[SIGNAL_OUT_RECORDING])
			fprintf(out, "recording = %s\n", t->out_off[SIGNAL_OUT_RECORDING] ? "off" : "on");
		if (d->out_set[SIGNAL_OUT_STREAMING])
			fprintf(out, "streaming = %s\n", t->out_off[SIGNAL_OUT_STREAMING] ? "off" : "on");
		show_text(out, "token-secret-file", d->secret_path);
		show_text(out, "token-public-key", d->pem_path);
		show_text(out, "admin-token-file", d->admin_path);
	}
}

void app_tenants_free(struct app_config *c)
{
	for (size_t i = 0; c->tenant_data && i < c->n_tenants; i++) {
		struct app_tenant_data *d = &c->tenant_data[i];
		explicit_bzero(d->secret, sizeof d->secret);
		explicit_bzero(d->admin, sizeof d->admin);
		free(d->pem);
		free(d->logo_bytes);
		free_list(d->hosts, c->tenants[i].n_hosts);
		free_list(d->origins, c->tenants[i].n_embed_origins);
	}
	free(c->tenant_data);
	free(c->tenants);
	c->tenant_data = NULL;
	c->tenants = NULL;
	c->n_tenants = 0;
}
