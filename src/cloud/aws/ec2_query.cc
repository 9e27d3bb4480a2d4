#include "cloud/aws/ec2_query.h"

#include "util/encoding.h"

namespace spotrun::aws {

QueryParams::QueryParams(std::string action) : action_(std::move(action)) {
  Add("Action", action_);
  Add("Version", kEc2ApiVersion);
}

std::string QueryParams::Get(const std::string& key) const {
  for (const auto& [k, v] : params_) {
    if (k == key) return v;
  }
  return "";
}

void QueryParams::Add(std::string key, std::string value) {
  params_.emplace_back(std::move(key), std::move(value));
}

void QueryParams::AddIfSet(const std::string& key, const std::string& value) {
  if (!value.empty()) Add(key, value);
}

void QueryParams::AddList(const std::string& key, const std::vector<std::string>& values) {
  for (size_t i = 0; i < values.size(); ++i) Add(key + "." + std::to_string(i + 1), values[i]);
}

void QueryParams::AddFilters(const std::vector<Ec2Filter>& filters) {
  for (size_t i = 0; i < filters.size(); ++i) {
    std::string prefix = "Filter." + std::to_string(i + 1);
    Add(prefix + ".Name", filters[i].name);
    AddList(prefix + ".Value", filters[i].values);
  }
}

void QueryParams::AddTagSpecifications(const std::vector<std::string>& resource_types,
                                       const std::map<std::string, std::string>& tags) {
  if (tags.empty()) return;
  for (size_t i = 0; i < resource_types.size(); ++i) {
    std::string prefix = "TagSpecification." + std::to_string(i + 1);
    Add(prefix + ".ResourceType", resource_types[i]);
    int n = 0;
    for (const auto& [key, value] : tags) {
      std::string tag = prefix + ".Tag." + std::to_string(++n);
      Add(tag + ".Key", key);
      Add(tag + ".Value", value);
    }
  }
}

std::string QueryParams::Encode() const {
  std::string body;
  for (const auto& [key, value] : params_) {
    if (!body.empty()) body += '&';
    body += PercentEncode(key) + "=" + PercentEncode(value);
  }
  return body;
}

std::vector<std::pair<std::string, std::string>> DecodeForm(const std::string& body) {
  std::vector<std::pair<std::string, std::string>> pairs;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    std::string pair = body.substr(start, end - start);
    size_t eq = pair.find('=');
    std::string key = pair.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : pair.substr(eq + 1);
    pairs.emplace_back(PercentDecode(key, true), PercentDecode(value, true));
    start = end + 1;
  }
  return pairs;
}

}  // namespace spotrun::aws
