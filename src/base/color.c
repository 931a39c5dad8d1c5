/* color: see color.h. WCAG 2.1 §1.4.3 and its definitions of relative luminance and contrast ratio. */
#include "base/color.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int color_parse(const char *text, struct color *out)
{
	size_t n = text ? strlen(text) : 0;
	if ((n != 7 && n != 4) || text[0] != '#')
		return -1;
	int d[6];
	for (size_t i = 1; i < n; i++)
		if ((d[i - 1] = hex_digit(text[i])) < 0)
			return -1;
	if (n == 4)
		*out = (struct color){ (uint8_t)(d[0] * 17), (uint8_t)(d[1] * 17), (uint8_t)(d[2] * 17) };
	else
		*out = (struct color){ (uint8_t)(d[0] * 16 + d[1]), (uint8_t)(d[2] * 16 + d[3]), (uint8_t)(d[4] * 16 + d[5]) };
	return 0;
}

void color_format(struct color c, char out[8])
{
	snprintf(out, 8, "#%02x%02x%02x", c.r, c.g, c.b);
}

static double channel(uint8_t v)
{
	double s = v / 255.0;
	return s <= 0.03928 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4);
}

double color_luminance(struct color c)
{
	return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b);
}

double color_contrast(struct color a, struct color b)
{
	double la = color_luminance(a), lb = color_luminance(b);
	return la > lb ? (la + 0.05) / (lb + 0.05) : (lb + 0.05) / (la + 0.05);
}

static uint8_t mix_channel(uint8_t a, uint8_t b, double w)
{
	double v = a + (b - a) * w;
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
}

struct color color_mix(struct color a, struct color b, double weight)
{
	return (struct color){ mix_channel(a.r, b.r, weight), mix_channel(a.g, b.g, weight), mix_channel(a.b, b.b, weight) };
}
