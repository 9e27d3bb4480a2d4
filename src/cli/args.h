// Command-line flags: "--name value", "--name=value" and boolean "--name".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/status.h"

namespace spotrun {

struct FlagSpec {
  std::string name;  // Without the leading "--".
  bool takes_value = false;
  bool repeated = false;  // Values accumulate instead of the last one winning.
};

struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> flags;
  // Everything after a bare "--", verbatim.
  std::vector<std::string> rest;

  bool Has(const std::string& name) const { return flags.count(name) > 0; }
  std::optional<std::string> Get(const std::string& name) const;
};

// Unknown flags and missing values are InvalidArgument with a one-line message.
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<FlagSpec>& specs);

}  // namespace spotrun
