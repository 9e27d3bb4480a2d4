#include "spec/spec_paths.h"

#include <cctype>

namespace spotrun::spec {

namespace {

bool HasDotDotComponent(std::string_view path) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::optional<std::string> InsidePathProblem(std::string_view path, std::string_view inside) {
  const std::string in(inside);
  if (path.empty()) return "must not be empty; name a path inside " + in;
  if (path.find('\0') != std::string_view::npos) return "must not contain a NUL character";
  const std::string quoted = "'" + std::string(path) + "'";
  if (path.front() == '/') {
    return quoted + " is absolute; it must be a path relative to " + in;
  }
  if (HasDotDotComponent(path)) {
    return quoted + " contains '..'; it must stay inside " + in;
  }
  const std::string normal = NormalizeRelative(path);
  if (normal == "." || normal == "./") {
    return quoted + " names " + in + " itself; name a path inside it";
  }
  return std::nullopt;
}

std::string NormalizeRelative(std::string_view path) {
  return std::filesystem::path(path).lexically_normal().generic_string();
}

std::filesystem::path ResolveLocal(const std::filesystem::path& base_dir, std::string_view path) {
  std::filesystem::path resolved = (base_dir / std::filesystem::path(path)).lexically_normal();
  if (!resolved.has_filename() && resolved.has_relative_path()) resolved = resolved.parent_path();
  return resolved;
}

std::optional<std::string> UrlScheme(std::string_view text) {
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return std::nullopt;
  std::string scheme(text.substr(0, sep));
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return std::nullopt;
  for (char& c : scheme) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!std::isalnum(u) && c != '+' && c != '-' && c != '.') return std::nullopt;
    c = static_cast<char>(std::tolower(u));
  }
  return scheme;
}

std::optional<std::string> UrlProblem(std::string_view url) {
  const std::optional<std::string> scheme = UrlScheme(url);
  if (!scheme) return "not a URL";
  if (*scheme != "http" && *scheme != "https" && *scheme != "s3") {
    return "unsupported URL scheme '" + *scheme + "'; use http://, https:// or s3://";
  }
  if (url.size() == scheme->size() + 3 || url[scheme->size() + 3] == '/') {
    return "URL " + std::string(url) + " has no host or bucket after '://'";
  }
  return std::nullopt;
}

}  // namespace spotrun::spec
