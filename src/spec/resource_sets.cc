// Readers for the resource fields both formats share beyond the basics:
// exact or minimum cpus and memory, ports, labels and alternative resource sets.
#include <array>
#include <cctype>
#include <cmath>

#include "spec/limits.h"
#include "spec/sections.h"
#include "spec/units.h"

namespace spotrun::spec {

namespace {

std::string Got(const YAML::Node& node) {
  return node.IsScalar() ? Quoted(node.Scalar()) : DescribeType(node);
}

// Splits a trailing '+' (at least) or a leading '=' (exactly) off `text`.
struct Bound {
  std::string number;
  bool plus = false;
  bool equals = false;
};

Bound SplitBound(std::string text) {
  Bound b;
  if (!text.empty() && text.back() == '+') {
    b.plus = true;
    text.pop_back();
  } else if (!text.empty() && text.front() == '=') {
    b.equals = true;
    text.erase(0, 1);
  }
  b.number = text;
  return b;
}

std::optional<int> ParsePort(std::string_view text) {
  std::optional<int64_t> v = ParseInteger(text);
  if (!v || *v < 1 || *v > 65535) return std::nullopt;
  return static_cast<int>(*v);
}

Status ReadOnePort(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                   std::vector<std::pair<int, int>>* out) {
  const std::string text = node.IsScalar() ? node.Scalar() : "";
  const size_t dash = text.find('-');
  std::optional<int> first = ParsePort(text.substr(0, dash));
  std::optional<int> last = dash == std::string::npos ? first : ParsePort(text.substr(dash + 1));
  if (!first || !last || *last < *first) {
    return ErrorAt(ctx, node, field,
                   "expected a port (1-65535) or a range such as 8080-8090, got " + Got(node));
  }
  out->emplace_back(*first, *last);
  return Status::Ok();
}

}  // namespace

Status ReadCpus(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                Resources* out) {
  if (node.IsNull()) return Status::Ok();
  const Bound b = SplitBound(node.IsScalar() ? node.Scalar() : "");
  const std::optional<double> v = ParseNumber(b.number);
  if (!node.IsScalar() || !v) {
    return ErrorAt(ctx, node, field, "expected a number, got " + Got(node));
  }
  SPOTRUN_RETURN_IF_ERROR(CheckRange(ctx, node, field, *v, kCpusRange));
  out->cpus = *v;
  out->cpus_exact = b.equals;
  return Status::Ok();
}

Status ReadMemorySpec(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                      bool plain_exact, Resources* out) {
  if (node.IsNull()) return Status::Ok();
  Bound b = SplitBound(node.IsScalar() ? node.Scalar() : "");
  const bool ratio = !b.number.empty() && (b.number.back() == 'x' || b.number.back() == 'X');
  if (ratio) b.number.pop_back();
  const std::optional<double> v = ratio ? ParseNumber(b.number) : ParseMemoryGib(b.number);
  if (!node.IsScalar() || !v || (ratio && b.equals)) {
    return ErrorAt(ctx, node, field,
                   "expected a size such as 16, \"16G\", \"16GiB\" or \"512M\", got " + Got(node));
  }
  SPOTRUN_RETURN_IF_ERROR(CheckRange(ctx, node, field, *v, kMemoryGibRange));
  out->memory_per_cpu = ratio ? *v : 0;
  out->memory_gib = ratio ? 0 : *v;
  out->memory_exact = !ratio && (b.equals || (plain_exact && !b.plus));
  return Status::Ok();
}

Status ReadPorts(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                 std::vector<std::pair<int, int>>* out) {
  if (node.IsNull()) return Status::Ok();
  out->clear();  // An alternative's ports replace the defaults.
  if (node.IsScalar()) return ReadOnePort(ctx, node, field, out);
  if (!node.IsSequence()) {
    return ErrorAt(ctx, node, field, "expected a port, a range or a list, got " + Got(node));
  }
  for (size_t i = 0; i < node.size(); ++i) {
    SPOTRUN_RETURN_IF_ERROR(ReadOnePort(ctx, node[i], IndexPath(field, i), out));
  }
  return Status::Ok();
}

Status ReadLabels(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  std::map<std::string, std::string>* out) {
  if (node.IsNull()) return Status::Ok();
  std::vector<Entry> entries;
  SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, node, field, &entries));
  for (const Entry& e : entries) {
    const std::string f = FieldPath(field, e.key);
    if (e.key.empty() || e.key.size() > 128 || e.key.rfind("aws:", 0) == 0) {
      return ErrorAt(ctx, e.key_node, f, "a tag key is 1 to 128 characters, not starting 'aws:'");
    }
    if (!e.value.IsNull() && !e.value.IsScalar()) {
      return ErrorAt(ctx, e.value, f, "expected a string, got " + DescribeType(e.value));
    }
    (*out)[e.key] = e.value.IsNull() ? "" : e.value.Scalar();
  }
  return Status::Ok();
}

Status ReadAlternatives(
    const SpecContext& ctx, const YAML::Node& node, const std::string& field, const Resources& base,
    const std::function<Status(const YAML::Node&, const std::string&, Resources*)>& read_one,
    std::vector<Resources>* out) {
  if (!node.IsSequence() || node.size() == 0) {
    return ErrorAt(ctx, node, field, "expected a list of resource sets, got " + Got(node));
  }
  for (size_t i = 0; i < node.size(); ++i) {
    Resources r = base;
    r.any_of.clear();
    SPOTRUN_RETURN_IF_ERROR(read_one(node[i], IndexPath(field, i), &r));
    out->push_back(std::move(r));
  }
  return Status::Ok();
}

}  // namespace spotrun::spec
