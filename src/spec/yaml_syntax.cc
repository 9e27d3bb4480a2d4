#include "spec/yaml_syntax.h"

#include <yaml.h>

namespace spotrun::spec {

namespace {

// Owns a libyaml parser.
class Parser {
 public:
  explicit Parser(std::string_view text) : ok_(yaml_parser_initialize(&parser_) != 0) {
    if (ok_) {
      yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                   text.size());
    }
  }
  ~Parser() {
    if (ok_) yaml_parser_delete(&parser_);
  }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  bool ok() const { return ok_; }
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_;
  bool ok_;
};

YamlSyntaxError ErrorOf(const yaml_parser_t& p) {
  YamlSyntaxError e;
  const yaml_mark_t& mark = p.problem ? p.problem_mark : p.mark;
  e.line = static_cast<int>(mark.line) + 1;
  e.column = static_cast<int>(mark.column) + 1;
  e.message = p.problem ? p.problem : "malformed YAML";
  if (p.context) e.message = std::string(p.context) + ": " + e.message;
  return e;
}

}  // namespace

std::optional<YamlSyntaxError> CheckYamlSyntax(std::string_view text) {
  Parser parser(text);
  if (!parser.ok()) return YamlSyntaxError{1, 1, "out of memory"};
  for (;;) {
    yaml_event_t event;
    if (!yaml_parser_parse(parser.get(), &event)) return ErrorOf(*parser.get());
    const bool end = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
    if (end) return std::nullopt;
  }
}

}  // namespace spotrun::spec
