// A small read-only XML tree (parsed with expat) for AWS Query API responses.
// Elements are matched by local name: namespace prefixes and xmlns
// attributes are ignored, as are attributes in general and element order,
// because AWS and moto differ in both.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace spotrun::aws {

struct XmlNode {
  std::string name;  // Local name: "instancesSet", never "ec2:instancesSet".
  std::string text;  // Character data directly inside this element, untrimmed.
  std::vector<XmlNode> children;

  // The first child named `name`, or nullptr.
  const XmlNode* Child(std::string_view name) const;
  // Follows '/'-separated child names ("instanceState/name"); nullptr when a
  // step is missing.
  const XmlNode* Find(std::string_view path) const;
  // Text of Find(path) with surrounding whitespace trimmed, or "" when absent.
  std::string Text(std::string_view path) const;
  // The <item> children of the wrapped list at `path` ("reservationSet"),
  // empty when the list is absent.
  std::vector<const XmlNode*> Items(std::string_view path) const;
  // The first element named `name` anywhere below (or at) this one, depth
  // first, or nullptr.
  const XmlNode* Descendant(std::string_view name) const;
};

// Parses a whole document and returns its root element. Fails with
// kInvalidArgument on malformed XML (the message gives expat's reason and line).
Result<XmlNode> ParseXml(std::string_view text);

// `text` with &, <, >, " and ' replaced by their entities, for element content
// and attribute values.
std::string XmlEscape(std::string_view text);

}  // namespace spotrun::aws
