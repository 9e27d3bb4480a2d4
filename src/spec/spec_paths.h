// Path and URL rules of the job file: which paths may name something inside a
// directory, how local paths resolve, and which URLs the instance can fetch.
// Pure functions over text, except where a comment says the disk is read.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace spotrun::spec {

// Checks that `path` names something strictly inside the directory described
// by `inside` (e.g. "the results directory"): not empty, no NUL character,
// relative, no '..' component, and not the directory itself ("." or "./").
// Such a path can never escape that directory. Returns what is wrong, or
// nullopt when the path is fine.
std::optional<std::string> InsidePathProblem(std::string_view path, std::string_view inside);

// The lexically normal form of a relative path: "./a//b/." -> "a/b/". A
// trailing '/' is kept.
std::string NormalizeRelative(std::string_view path);

// `path` made absolute against `base_dir` (unless already absolute) and
// lexically normalized, without a trailing '/'. `~` is not expanded.
std::filesystem::path ResolveLocal(const std::filesystem::path& base_dir, std::string_view path);

// For text shaped like "scheme://rest", the scheme lower-cased; nullopt for
// anything else (which is then a local path).
std::optional<std::string> UrlScheme(std::string_view text);

// Checks a URL source: the scheme must be http, https or s3 and something must
// follow "://". Returns what is wrong, or nullopt.
std::optional<std::string> UrlProblem(std::string_view url);

}  // namespace spotrun::spec
