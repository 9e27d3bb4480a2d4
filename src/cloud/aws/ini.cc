#include "cloud/aws/ini.h"

#include <cctype>

#include "util/ascii.h"

namespace spotrun::aws {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// Splits "key = value" / "key: value" at the first delimiter. False when the
// line has none or the key is empty.
bool SplitKeyValue(std::string_view line, std::string* key, std::string* value) {
  size_t at = line.find_first_of("=:");
  if (at == std::string_view::npos) return false;
  *key = AsciiLower(Trim(line.substr(0, at)));
  *value = std::string(Trim(line.substr(at + 1)));
  return !key->empty();
}

}  // namespace

const std::map<std::string, std::string>* IniFile::Find(const std::string& section) const {
  auto it = sections.find(section);
  return it == sections.end() ? nullptr : &it->second;
}

Result<IniFile> ParseIni(std::string_view text, const std::string& filename) {
  IniFile ini;
  std::map<std::string, std::string>* section = nullptr;
  std::string last_key;  // The key that indented lines continue.
  int line_number = 0;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view line = Trim(raw);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    auto error = [&](const std::string& what) {
      return InvalidArgument(filename + " line " + std::to_string(line_number) + ": " + what);
    };
    bool indented = std::isspace(static_cast<unsigned char>(raw[0]));
    if (indented && section != nullptr && !last_key.empty()) {
      std::string& parent = (*section)[last_key];
      std::string key, value;
      if (parent.empty() && SplitKeyValue(line, &key, &value)) {
        (*section)[last_key + "." + key] = value;
      } else {
        parent += "\n" + std::string(line);
      }
      continue;
    }
    if (line.front() == '[') {
      if (line.back() != ']') return error("section header without ']'");
      section = &ini.sections[std::string(Trim(line.substr(1, line.size() - 2)))];
      last_key.clear();
      continue;
    }
    if (section == nullptr) return error("a setting before any [section] header");
    std::string key, value;
    if (!SplitKeyValue(line, &key, &value)) return error("expected 'key = value'");
    (*section)[key] = value;
    last_key = key;
  }
  return ini;
}

}  // namespace spotrun::aws
