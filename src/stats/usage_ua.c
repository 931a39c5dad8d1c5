/* usage_ua: the browser engine of a User-Agent header, for the join counters. Engines, not
 * products: on iOS every browser is Apple's WebKit (CriOS is Chrome's shell around it), so it
 * counts as safari — what plenum has to support there is Safari's WebRTC. Everything else is told
 * by the product tokens that engines' browsers carry (Edge, Opera, Samsung Internet and Brave
 * all send Chrome/). */
#include "stats/usage.h"

#include <string.h>

#define UA_SCAN_MAX 1024

static bool has(const char *ua, size_t n, const char *token)
{
	return memmem(ua, n, token, strlen(token)) != NULL;
}

enum usage_browser usage_browser_family(const char *user_agent)
{
	if (!user_agent)
		return USAGE_BROWSER_OTHER;
	size_t n = strnlen(user_agent, UA_SCAN_MAX);
	const char *ua = user_agent;
	if (has(ua, n, "iPhone") || has(ua, n, "iPad") || has(ua, n, "iPod"))
		return has(ua, n, "AppleWebKit") ? USAGE_BROWSER_SAFARI : USAGE_BROWSER_OTHER;
	if (has(ua, n, "Firefox/"))
		return USAGE_BROWSER_FIREFOX;
	if (has(ua, n, "Chrome/") || has(ua, n, "Chromium/") || has(ua, n, "Edg/") || has(ua, n, "Edge/") ||
	    has(ua, n, "OPR/") || has(ua, n, "Opera"))
		return USAGE_BROWSER_CHROMIUM;
	if (has(ua, n, "Safari/") && has(ua, n, "AppleWebKit") && !has(ua, n, "Android"))
		return USAGE_BROWSER_SAFARI;
	return USAGE_BROWSER_OTHER;
}
