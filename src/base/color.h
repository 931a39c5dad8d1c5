/* color: sRGB colours as operators write them ("#7a1f2b") and the contrast arithmetic of
 * WCAG 2.1 (relative luminance, contrast ratio), so brand colours are checked before a page uses them. */
#ifndef PLENUM_BASE_COLOR_H
#define PLENUM_BASE_COLOR_H

#include <stdint.h>

struct color {
	uint8_t r, g, b;
};

/* "#rrggbb" or "#rgb" (either case); 0, or -1 when it is neither. */
int color_parse(const char *text, struct color *out);
/* "#rrggbb" (lower case) into out[8]. */
void color_format(struct color c, char out[8]);
/* WCAG 2.1 relative luminance, 0 (black) … 1 (white). */
double color_luminance(struct color c);
/* WCAG 2.1 contrast ratio (L1 + 0.05) / (L2 + 0.05), 1 … 21, whatever the order. */
double color_contrast(struct color a, struct color b);
/* a mixed with b: weight 0 gives a, 1 gives b (per channel, in sRGB, rounded). */
struct color color_mix(struct color a, struct color b, double weight);

#endif
