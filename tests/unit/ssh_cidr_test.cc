// The SSH source range: CIDR syntax, the job file's ssh_cidr, and the public
// address lookup (against a recording HTTP fake, never the real service).
#include <gtest/gtest.h>

#include "cloud/aws/public_address.h"
#include "recording_http_client.h"
#include "spec_test_util.h"
#include "util/cidr.h"
#include "util/encoding.h"

namespace spotrun {
namespace {

TEST(CidrTest, Syntax) {
  for (const char* good :
       {"203.0.113.7/32", "10.0.0.0/8", "0.0.0.0/0", "2001:db8::/64", "::/0", "::1/128"}) {
    EXPECT_TRUE(IsCidr(good)) << good;
  }
  for (const char* bad : {"", "203.0.113.7", "203.0.113.7/33", "203.0.113/24", "1.2.3.4/",
                          "1.2.3.4/08", "1.2.3.4/-1", "::1/129", "host/32", "1.2.3.4/32 "}) {
    EXPECT_FALSE(IsCidr(bad)) << bad;
  }
  EXPECT_TRUE(IsWholeInternet("0.0.0.0/0"));
  EXPECT_TRUE(IsWholeInternet("::/0"));
  EXPECT_TRUE(IsWholeInternet("10.1.2.3/0"));
  EXPECT_FALSE(IsWholeInternet("203.0.113.7/32"));
  EXPECT_TRUE(IsIpv4Address("203.0.113.7"));
  EXPECT_FALSE(IsIpv4Address("203.0.113.7/32"));
}

TEST(ShellQuoteTest, QuotesOnlyWhatNeedsIt) {
  EXPECT_EQ(ShellQuote("spotrun/j-1/workdir"), "spotrun/j-1/workdir");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
}

using SshCidrSpecTest = SpecTest;

TEST_F(SshCidrSpecTest, JobFileKey) {
  auto spec = Parse("run: x\nssh_cidr: 203.0.113.7/32\n");
  ASSERT_TRUE(spec.ok()) << spec.status().ToString();
  EXPECT_EQ(spec->ssh_cidr, "203.0.113.7/32");
  EXPECT_EQ(Parse("run: x\n")->ssh_cidr, "");
  EXPECT_EQ(Error("run: x\nssh_cidr: 203.0.113.7\n"),
            At("2:11: ssh_cidr: expected an address range such as 203.0.113.7/32 or "
               "2001:db8::/64, got '203.0.113.7'"));
  EXPECT_EQ(Error("run: x\nssh_cidr: 0.0.0.0/0\n"),
            At("2:11: ssh_cidr: '0.0.0.0/0' would open SSH to the whole internet; give your own "
               "address, e.g. 203.0.113.7/32"));
}

TEST(PublicAddressTest, AsksCheckIpAndMakesASlash32) {
  test::RecordingHttpClient http;
  http.Respond(200, "198.51.100.23\n");
  auto cidr = aws::LookUpPublicCidr(&http, "http://127.0.0.1:9/");
  ASSERT_TRUE(cidr.ok()) << cidr.status().ToString();
  EXPECT_EQ(*cidr, "198.51.100.23/32");
  ASSERT_EQ(http.requests.size(), 1u);
  EXPECT_EQ(http.requests[0].url, "http://127.0.0.1:9/");
  EXPECT_EQ(std::string(aws::kCheckIpUrl), "https://checkip.amazonaws.com/");

  http.Respond(200, "<html>captive portal</html>");
  auto bad = aws::LookUpPublicCidr(&http, "http://127.0.0.1:9/");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kUnavailable);
  EXPECT_NE(bad.status().message().find("SPOTRUN_SSH_CIDR"), std::string::npos);
}

}  // namespace
}  // namespace spotrun
