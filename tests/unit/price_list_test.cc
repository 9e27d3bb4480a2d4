// PriceListClient (GetProducts) against a recording fake HttpClient: the
// signed JSON request it sends and the on-demand price it reads back.
#include "cloud/aws/price_list.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "recording_http_client.h"

namespace spotrun::aws {
namespace {

// A GetProducts answer as AWS gives it: each product a JSON document in a string.
std::string Answer(const std::string& usd) {
  nlohmann::json product = {{"product", {{"attributes", {{"instanceType", "c7g.large"}}}}},
                            {"terms",
                             {{"OnDemand",
                               {{"SKU.JRTCKXETXF",
                                 {{"priceDimensions",
                                   {{"SKU.JRTCKXETXF.6YS6EN2CT7",
                                     {{"unit", "Hrs"}, {"pricePerUnit", {{"USD", usd}}}}}}}}}}}}}};
  return nlohmann::json{{"FormatVersion", "aws_v1"}, {"PriceList", {product.dump()}}}.dump();
}

class PriceListTest : public testing::Test {
 protected:
  test::RecordingHttpClient http_;
  ManualClock clock_;
  StaticCredentialProvider credentials_{
      Credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "", 0, "tests"}};
  PriceListClient client_{&http_, &credentials_, &clock_, "http://127.0.0.1:9"};
};

TEST_F(PriceListTest, AsksGetProductsForLinuxSharedOnDemandInTheRegion) {
  http_.Respond(200, Answer("0.0725000000"));
  Result<double> price = client_.OnDemandPrice("c7g.large", "us-east-2");
  ASSERT_TRUE(price.ok()) << price.status().ToString();
  EXPECT_DOUBLE_EQ(*price, 0.0725);
  ASSERT_EQ(http_.requests.size(), 1u);
  const HttpRequest& r = http_.requests[0];
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.url, "http://127.0.0.1:9/");
  EXPECT_EQ(http_.Header(0, "X-Amz-Target"), "AWSPriceListService.GetProducts");
  EXPECT_EQ(http_.Header(0, "Content-Type"), "application/x-amz-json-1.1");
  EXPECT_NE(http_.Header(0, "Authorization").find("/us-east-1/pricing/aws4_request"),
            std::string::npos);
  nlohmann::json body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["ServiceCode"], "AmazonEC2");
  std::map<std::string, std::string> filters;
  for (const auto& f : body["Filters"]) {
    EXPECT_EQ(f["Type"], "TERM_MATCH");
    filters[f["Field"]] = f["Value"];
  }
  EXPECT_EQ(filters, (std::map<std::string, std::string>{{"capacitystatus", "Used"},
                                                         {"instanceType", "c7g.large"},
                                                         {"operatingSystem", "Linux"},
                                                         {"preInstalledSw", "NA"},
                                                         {"regionCode", "us-east-2"},
                                                         {"tenancy", "Shared"}}));
}

TEST_F(PriceListTest, NoProductOrAZeroPriceIsNotFoundNeverFree) {
  http_.Respond(200, R"({"FormatVersion":"aws_v1","PriceList":[]})");
  EXPECT_EQ(client_.OnDemandPrice("mac1.metal", "us-east-1").status().code(), Code::kNotFound);
  http_.Respond(200, Answer("0.0000000000"));
  EXPECT_EQ(client_.OnDemandPrice("mac1.metal", "us-east-1").status().code(), Code::kNotFound);
  http_.Respond(200, "not json");
  EXPECT_EQ(client_.OnDemandPrice("c7g.large", "us-east-1").status().code(), Code::kUnavailable);
  http_.Respond(403, R"({"__type":"AccessDeniedException"})");
  Result<double> denied = client_.OnDemandPrice("c7g.large", "us-east-1");
  EXPECT_EQ(denied.status().code(), Code::kAuth);
  EXPECT_NE(denied.status().message().find("pricing:GetProducts"), std::string::npos);
}

}  // namespace
}  // namespace spotrun::aws
