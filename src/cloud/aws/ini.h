// The INI dialect of ~/.aws/config and ~/.aws/credentials, read the way
// botocore reads it: "[section]" headers, "key = value" or "key: value"
// lines (keys lower-cased, values trimmed), full-line comments starting with
// '#' or ';', and indented lines under a key with an empty value forming a
// nested block ("s3 =\n  endpoint_url = ..." becomes key "s3.endpoint_url").
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "util/status.h"

namespace spotrun::aws {

struct IniFile {
  // Section name (as written, e.g. "profile dev") -> key -> value.
  std::map<std::string, std::map<std::string, std::string>> sections;

  // The section, or nullptr when absent.
  const std::map<std::string, std::string>* Find(const std::string& section) const;
};

// Parses `text`. Fails with kInvalidArgument naming `filename` and the line
// when a line is neither a section, a key, a comment nor a continuation.
Result<IniFile> ParseIni(std::string_view text, const std::string& filename);

}  // namespace spotrun::aws
