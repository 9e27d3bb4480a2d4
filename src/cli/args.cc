#include "cli/args.h"

namespace spotrun {

std::optional<std::string> ParsedArgs::Get(const std::string& name) const {
  auto it = flags.find(name);
  if (it == flags.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<FlagSpec>& specs) {
  ParsedArgs out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      out.rest.assign(args.begin() + i + 1, args.end());
      break;
    }
    if (a.rfind("--", 0) != 0 || a.size() == 2) {
      out.positional.push_back(a);
      continue;
    }
    std::string name = a.substr(2);
    std::optional<std::string> value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (!spec) return InvalidArgument("unknown option --" + name + " (see --help)");
    if (spec->takes_value && !value) {
      if (i + 1 >= args.size()) return InvalidArgument("option --" + name + " needs a value");
      value = args[++i];
    }
    if (!spec->takes_value && value) return InvalidArgument("option --" + name + " takes no value");
    auto& slot = out.flags[name];
    if (!spec->repeated) slot.clear();
    slot.push_back(value.value_or(""));
  }
  return out;
}

}  // namespace spotrun
