#include "cloud/aws/sigv4.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>
#include <vector>

#include "util/ascii.h"
#include "util/clock.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

// Headers botocore leaves unsigned: hop-by-hop ones may be rewritten by
// proxies, and User-Agent by the HTTP library.
constexpr std::string_view kUnsignedHeaders[] = {"authorization",
                                                 "connection",
                                                 "expect",
                                                 "keep-alive",
                                                 "proxy-authenticate",
                                                 "proxy-authorization",
                                                 "te",
                                                 "trailer",
                                                 "transfer-encoding",
                                                 "upgrade",
                                                 "user-agent",
                                                 "x-amzn-trace-id"};

struct UrlParts {
  std::string scheme;
  std::string authority;  // host[:port]
  std::string path;
  std::string query;
};

UrlParts SplitUrl(std::string_view url) {
  UrlParts parts;
  size_t scheme_end = url.find("://");
  parts.scheme = std::string(url.substr(0, scheme_end));
  std::string_view rest = url.substr(scheme_end + 3);
  rest = rest.substr(0, rest.find('#'));
  size_t path_start = rest.find_first_of("/?");
  parts.authority = std::string(rest.substr(0, path_start));
  if (path_start == std::string_view::npos) return parts;
  rest = rest.substr(path_start);
  size_t query_start = rest.find('?');
  parts.path = std::string(rest.substr(0, query_start));
  if (query_start != std::string_view::npos)
    parts.query = std::string(rest.substr(query_start + 1));
  return parts;
}

// The Host header value: the default port for the scheme is left out.
std::string HostHeader(const UrlParts& url) {
  std::string_view host = url.authority;
  if (url.scheme == "https" && host.ends_with(":443")) host.remove_suffix(4);
  if (url.scheme == "http" && host.ends_with(":80")) host.remove_suffix(3);
  return std::string(host);
}

// RFC 3986 "remove dot segments", plus collapsing of repeated slashes.
std::string NormalizePath(const std::string& path) {
  if (path.empty()) return "/";
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = std::min(path.find('/', start), path.size());
    std::string segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!segment.empty() && segment != ".") {
      out.push_back(segment);
    }
    start = end + 1;
  }
  std::string result = path.front() == '/' ? "/" : "";
  for (size_t i = 0; i < out.size(); ++i) result += (i ? "/" : "") + out[i];
  if (path.back() == '/' && !out.empty()) result += "/";
  return result;
}

std::string CanonicalQuery(const std::string& query) {
  if (query.empty()) return "";
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = std::min(query.find('&', start), query.size());
    std::string_view pair(query.data() + start, end - start);
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value = eq == std::string_view::npos ? "" : pair.substr(eq + 1);
    pairs.emplace_back(PercentEncode(PercentDecode(key)), PercentEncode(PercentDecode(value)));
    start = end + 1;
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& [key, value] : pairs) out += (out.empty() ? "" : "&") + key + "=" + value;
  return out;
}

// Trims and collapses every run of whitespace (folded lines included) to one space.
std::string TrimAll(std::string_view value) {
  std::string out;
  bool pending_space = false;
  for (char c : value) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

bool IsSigned(const std::string& lower_name) {
  return std::find(std::begin(kUnsignedHeaders), std::end(kUnsignedHeaders), lower_name) ==
         std::end(kUnsignedHeaders);
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), int(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length);
  return std::string(reinterpret_cast<char*>(out), length);
}

void SetHeader(HttpRequest* request, const std::string& name, const std::string& value) {
  std::string lower = AsciiLower(name);
  std::erase_if(request->headers, [&](const auto& h) { return AsciiLower(h.first) == lower; });
  request->headers.emplace_back(name, value);
}

bool HasHeader(const HttpRequest& request, std::string_view lower_name) {
  return std::any_of(request.headers.begin(), request.headers.end(),
                     [&](const auto& h) { return AsciiLower(h.first) == lower_name; });
}

}  // namespace

std::string AmzDate(double time) { return FormatUtc(time, "%Y%m%dT%H%M%SZ"); }

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return HexEncode(std::string_view(reinterpret_cast<char*>(digest), sizeof(digest)));
}

SigV4Signature SignV4(const Credentials& credentials, const SigV4Options& options,
                      HttpRequest* request) {
  UrlParts url = SplitUrl(request->url);
  std::string amz_date = AmzDate(options.time);
  std::string body_hash = Sha256Hex(request->body);
  if (!HasHeader(*request, "host")) request->headers.emplace_back("Host", HostHeader(url));
  SetHeader(request, "X-Amz-Date", amz_date);
  bool has_token = !credentials.session_token.empty();
  if (has_token && options.sign_session_token) {
    SetHeader(request, "X-Amz-Security-Token", credentials.session_token);
  }
  if (options.sign_body) SetHeader(request, "x-amz-content-sha256", body_hash);

  std::map<std::string, std::string> canonical;  // Sorted by lower-case name.
  for (const auto& [name, value] : request->headers) {
    std::string lower = AsciiLower(name);
    if (!IsSigned(lower)) continue;
    auto [it, inserted] = canonical.emplace(lower, TrimAll(value));
    if (!inserted) it->second += "," + TrimAll(value);
  }
  std::string header_block, signed_headers;
  for (const auto& [name, value] : canonical) {
    header_block += name + ":" + value + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  std::string path = options.path_is_encoded ? PercentDecode(url.path) : url.path;
  if (options.normalize_path) path = NormalizePath(path);
  if (path.empty()) path = "/";

  SigV4Signature sig;
  sig.canonical_request = request->method + "\n" + PercentEncode(path, /*keep_slash=*/true) + "\n" +
                          CanonicalQuery(url.query) + "\n" + header_block + "\n" + signed_headers +
                          "\n" + body_hash;
  std::string day = amz_date.substr(0, 8);
  std::string scope = day + "/" + options.region + "/" + options.service + "/aws4_request";
  sig.string_to_sign =
      "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + Sha256Hex(sig.canonical_request);
  std::string key = HmacSha256("AWS4" + credentials.secret_access_key, day);
  key = HmacSha256(key, options.region);
  key = HmacSha256(key, options.service);
  key = HmacSha256(key, "aws4_request");
  sig.signature = HexEncode(HmacSha256(key, sig.string_to_sign));
  sig.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope +
                      ", SignedHeaders=" + signed_headers + ", Signature=" + sig.signature;
  if (has_token && !options.sign_session_token) {
    SetHeader(request, "X-Amz-Security-Token", credentials.session_token);
  }
  SetHeader(request, "Authorization", sig.authorization);
  return sig;
}

}  // namespace spotrun::aws
