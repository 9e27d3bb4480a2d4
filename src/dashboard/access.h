// Who may use the dashboard: the holder of its random access token, from the
// dashboard's own origin. Pure functions over requests (the server applies
// them, tests/unit/dashboard_access_test.cc checks them).
#pragma once

#include <string>
#include <string_view>

#include "dashboard/token.h"
#include "util/http_server.h"

namespace spotrun {

// The cookie that carries the token after the first page load.
inline constexpr char kTokenCookie[] = "spotrun_dashboard";
// The header the page's script sends the token in (POST requests).
inline constexpr char kTokenHeader[] = "x-spotrun-token";

// The value of `name` in a query string ("a=1&token=x"), percent-decoded;
// "" when absent.
std::string QueryParam(std::string_view query, std::string_view name);

// The value of cookie `name` in a Cookie header; "" when absent.
std::string CookieValue(std::string_view cookie_header, std::string_view name);

// Whether `req` carries `token`: as ?token=, in the cookie, or in the header.
bool HasToken(const HttpRequest& req, std::string_view token);

// Whether `req` names the dashboard itself as its host (127.0.0.1:PORT or
// localhost:PORT), so that a page of another site rebound to 127.0.0.1 by
// DNS is refused.
bool HostAllowed(const HttpRequest& req, int port);

// Whether a state-changing request comes from a page of `origin`
// ("http://127.0.0.1:PORT"): its Origin header is `origin`, or, without an
// Origin, its Referer is under `origin`/. Neither header: refused.
bool SameOrigin(const HttpRequest& req, std::string_view origin);

}  // namespace spotrun
