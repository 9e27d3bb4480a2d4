// The pure pieces under the EC2 client: encodings, form bodies (cases after
// the Smithy awsEc2query protocol tests) and the local-name XML reader.
#include <gtest/gtest.h>

#include "cloud/aws/ec2_query.h"
#include "cloud/aws/xml.h"
#include "util/encoding.h"

namespace spotrun::aws {
namespace {

TEST(EncodingTest, Base64RoundTripsAndRejectsGarbage) {
  for (const std::string& text : std::vector<std::string>{"", "f", "fo", "foo", "foob", "fooba",
                                                          "foobar", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(text)), text);
  }
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Decode("Zm9v\nYmFy\n"), "foobar");
  EXPECT_FALSE(Base64Decode("Zm9v!").has_value());
  EXPECT_FALSE(Base64Decode("Zm8=x").has_value());
  EXPECT_FALSE(Base64Decode("Z").has_value());
}

TEST(EncodingTest, PercentEncodingIsRfc3986) {
  EXPECT_EQ(PercentEncode("a-b_c.d~e f/g+h=\xc3\xa9"), "a-b_c.d~e%20f%2Fg%2Bh%3D%C3%A9");
  EXPECT_EQ(PercentEncode("/a b/", /*keep_slash=*/true), "/a%20b/");
  EXPECT_EQ(PercentDecode("a%20b+c%2x%"), "a b+c%2x%");
  EXPECT_EQ(PercentDecode("a%20b+c", /*plus_is_space=*/true), "a b c");
  EXPECT_EQ(HexEncode(std::string("\x01\xab", 2)), "01ab");
}

TEST(QueryParamsTest, ListsAreFlattenedOneBasedAndEmptyListsLeftOut) {
  QueryParams params("QueryLists");
  params.AddList("ListArg", {"foo", "bar", "baz"});
  params.AddList("EmptyArg", {});
  params.AddFilters({});
  params.AddTagSpecifications({"instance"}, {});
  params.AddIfSet("Unset", "");
  params.Add("ComplexListArg.1.Hi", "hello");
  EXPECT_EQ(params.Encode(),
            "Action=QueryLists&Version=2016-11-15&ListArg.1=foo&ListArg.2=bar&ListArg.3=baz&"
            "ComplexListArg.1.Hi=hello");
  EXPECT_EQ(params.Get("ListArg.2"), "bar");
  EXPECT_EQ(params.Get("Missing"), "");
}

TEST(QueryParamsTest, ValuesAreEncodedAndDecodeBack) {
  QueryParams params("DescribeImages");
  params.AddFilters({{"name", {"Deep Learning AMI (Ubuntu 22.04) ????????"}}});
  params.Add("UserData", "IyEvYmluL3NoCg==");
  std::string body = params.Encode();
  EXPECT_NE(body.find("Filter.1.Value.1=Deep%20Learning%20AMI%20%28Ubuntu%2022.04%29%20%3F%3F"),
            std::string::npos);
  EXPECT_NE(body.find("UserData=IyEvYmluL3NoCg%3D%3D"), std::string::npos);
  EXPECT_EQ(DecodeForm(body), params.params());
}

TEST(XmlTest, MatchesLocalNamesAndIgnoresOrderAndNamespaces) {
  Result<XmlNode> root = ParseXml(
      "<?xml version=\"1.0\"?>\n<a:Root xmlns:a=\"urn:x\" attr=\"1\"><a:list><a:item>one</a:item>"
      "<other/><a:item> two &amp; &#x33; </a:item></a:list><b><c>deep</c></b><![CDATA[<raw>]]>"
      "</a:Root>");
  ASSERT_TRUE(root.ok()) << root.status().ToString();
  EXPECT_EQ(root->name, "Root");
  std::vector<const XmlNode*> items = root->Items("list");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1]->Text(""), "two & 3");
  EXPECT_EQ(items[1]->text, " two & 3 ");
  EXPECT_EQ(root->Text("b/c"), "deep");
  EXPECT_EQ(root->Text("b/missing"), "");
  EXPECT_EQ(root->Find("nope/c"), nullptr);
  EXPECT_TRUE(root->Items("nope").empty());
  EXPECT_EQ(root->Descendant("c")->text, "deep");
  EXPECT_NE(root->text.find("<raw>"), std::string::npos);
}

TEST(XmlTest, MalformedAndTooDeepDocumentsFail) {
  Result<XmlNode> bad = ParseXml("<a><b></a>");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("line 1"), std::string::npos);
  EXPECT_FALSE(ParseXml("").ok());
  std::string deep;
  for (int i = 0; i < 100; ++i) deep += "<x>";
  for (int i = 0; i < 100; ++i) deep += "</x>";
  EXPECT_EQ(ParseXml(deep).status().message(), "XML nested deeper than 64 elements");
}

}  // namespace
}  // namespace spotrun::aws
