// Building the form body of an EC2 Query API call (API version 2016-11-15):
// wire names as botocore's EC2 serializer writes them, lists flattened and
// 1-based ("InstanceId.1"), nested members dotted, empty lists left out.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace spotrun::aws {

inline constexpr const char* kEc2ApiVersion = "2016-11-15";

// One "Filter.N": a name and the values any of which may match.
struct Ec2Filter {
  std::string name;  // "tag:spotrun:job-id", "instance-state-name", ...
  std::vector<std::string> values;
};

// Ordered (key, value) parameters of one call; Action and Version come first.
class QueryParams {
 public:
  explicit QueryParams(std::string action);

  const std::string& action() const { return action_; }
  const std::vector<std::pair<std::string, std::string>>& params() const { return params_; }
  // The value of `key`, or "" when it was not added.
  std::string Get(const std::string& key) const;

  void Add(std::string key, std::string value);
  // Adds only when `value` is non-empty.
  void AddIfSet(const std::string& key, const std::string& value);
  // "key.1=v1&key.2=v2..."; nothing for an empty list.
  void AddList(const std::string& key, const std::vector<std::string>& values);
  // "Filter.N.Name" / "Filter.N.Value.M".
  void AddFilters(const std::vector<Ec2Filter>& filters);
  // "TagSpecification.N.ResourceType" / ".Tag.M.Key" / ".Tag.M.Value", one
  // specification per resource type; nothing when `tags` is empty.
  void AddTagSpecifications(const std::vector<std::string>& resource_types,
                            const std::map<std::string, std::string>& tags);

  // application/x-www-form-urlencoded body, RFC 3986 percent-encoding.
  std::string Encode() const;

 private:
  std::string action_;
  std::vector<std::pair<std::string, std::string>> params_;
};

// Parses a form body back into ordered pairs (for tests and fakes).
std::vector<std::pair<std::string, std::string>> DecodeForm(const std::string& body);

}  // namespace spotrun::aws
