#include "cloud/aws/xml.h"

#include <expat.h>

#include <memory>

namespace spotrun::aws {
namespace {

constexpr size_t kMaxDepth = 64;

struct Builder {
  XmlNode root;
  std::vector<XmlNode*> stack;
  bool too_deep = false;
  XML_Parser parser = nullptr;
};

std::string LocalName(const char* name) {
  std::string_view n(name);
  size_t colon = n.rfind(':');
  return std::string(colon == std::string_view::npos ? n : n.substr(colon + 1));
}

void OnStart(void* data, const char* name, const char** /*attributes*/) {
  auto* b = static_cast<Builder*>(data);
  if (b->stack.size() >= kMaxDepth) {
    b->too_deep = true;
    XML_StopParser(b->parser, XML_FALSE);
    return;
  }
  XmlNode* node;
  if (b->stack.empty()) {
    node = &b->root;
  } else {
    node = &b->stack.back()->children.emplace_back();
  }
  node->name = LocalName(name);
  b->stack.push_back(node);
}

void OnEnd(void* data, const char* /*name*/) { static_cast<Builder*>(data)->stack.pop_back(); }

void OnText(void* data, const char* text, int length) {
  auto* b = static_cast<Builder*>(data);
  if (!b->stack.empty()) b->stack.back()->text.append(text, size_t(length));
}

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n";
  size_t start = s.find_first_not_of(kSpace);
  if (start == std::string_view::npos) return {};
  return s.substr(start, s.find_last_not_of(kSpace) - start + 1);
}

struct ParserDeleter {
  void operator()(XML_Parser p) const { XML_ParserFree(p); }
};

}  // namespace

const XmlNode* XmlNode::Child(std::string_view child_name) const {
  for (const XmlNode& child : children) {
    if (child.name == child_name) return &child;
  }
  return nullptr;
}

const XmlNode* XmlNode::Find(std::string_view path) const {
  const XmlNode* node = this;
  while (node != nullptr && !path.empty()) {
    size_t slash = path.find('/');
    node = node->Child(path.substr(0, slash));
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  }
  return node;
}

std::string XmlNode::Text(std::string_view path) const {
  const XmlNode* node = Find(path);
  return node == nullptr ? "" : std::string(Trim(node->text));
}

std::vector<const XmlNode*> XmlNode::Items(std::string_view path) const {
  std::vector<const XmlNode*> items;
  if (const XmlNode* list = Find(path)) {
    for (const XmlNode& child : list->children) {
      if (child.name == "item") items.push_back(&child);
    }
  }
  return items;
}

const XmlNode* XmlNode::Descendant(std::string_view wanted) const {
  if (name == wanted) return this;
  for (const XmlNode& child : children) {
    if (const XmlNode* found = child.Descendant(wanted)) return found;
  }
  return nullptr;
}

Result<XmlNode> ParseXml(std::string_view text) {
  std::unique_ptr<XML_ParserStruct, ParserDeleter> parser(XML_ParserCreate("UTF-8"));
  if (!parser) return Internal("XML_ParserCreate failed");
  Builder builder;
  builder.parser = parser.get();
  XML_SetUserData(parser.get(), &builder);
  XML_SetElementHandler(parser.get(), OnStart, OnEnd);
  XML_SetCharacterDataHandler(parser.get(), OnText);
  if (XML_Parse(parser.get(), text.data(), int(text.size()), XML_TRUE) != XML_STATUS_OK) {
    if (builder.too_deep) return InvalidArgument("XML nested deeper than 64 elements");
    return InvalidArgument(std::string("malformed XML: ") +
                           XML_ErrorString(XML_GetErrorCode(parser.get())) + " at line " +
                           std::to_string(XML_GetCurrentLineNumber(parser.get())));
  }
  return std::move(builder.root);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace spotrun::aws
