#include <gtest/gtest.h>

#include <set>

#include "dashboard/access.h"

namespace spotrun {
namespace {

HttpRequest Request(std::map<std::string, std::string> headers, std::string query = "") {
  HttpRequest r;
  r.method = "GET";
  r.path = "/";
  r.query = std::move(query);
  r.headers = std::move(headers);
  return r;
}

TEST(DashboardAccessTest, TokensAreRandomHex) {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto t = NewDashboardToken();
    ASSERT_TRUE(t.ok());
    ASSERT_EQ(t->size(), 32u);
    EXPECT_EQ(t->find_first_not_of("0123456789abcdef"), std::string::npos) << *t;
    seen.insert(*t);
  }
  EXPECT_EQ(seen.size(), 20u);
}

TEST(DashboardAccessTest, TokensEqualComparesWholeStrings) {
  EXPECT_TRUE(TokensEqual("abc123", "abc123"));
  EXPECT_FALSE(TokensEqual("abc123", "abc124"));
  EXPECT_FALSE(TokensEqual("abc123", "abc12"));
  EXPECT_FALSE(TokensEqual("", "a"));
  EXPECT_TRUE(TokensEqual("", ""));
}

TEST(DashboardAccessTest, QueryAndCookieValues) {
  EXPECT_EQ(QueryParam("a=1&token=xy%7A&b=2", "token"), "xyz");
  EXPECT_EQ(QueryParam("tokens=1&token=", "token"), "");
  EXPECT_EQ(QueryParam("x=a+b", "x"), "a b");
  EXPECT_EQ(QueryParam("x=%4", "x"), "%4");
  EXPECT_EQ(CookieValue("a=1; spotrun_dashboard=t0k; b=2", "spotrun_dashboard"), "t0k");
  EXPECT_EQ(CookieValue("xspotrun_dashboard=t0k", "spotrun_dashboard"), "");
}

TEST(DashboardAccessTest, TheTokenComesInTheQueryTheCookieOrTheHeader) {
  const std::string t = "0123456789abcdef0123456789abcdef";
  EXPECT_TRUE(HasToken(Request({}, "token=" + t), t));
  EXPECT_TRUE(HasToken(Request({{"cookie", "spotrun_dashboard=" + t}}), t));
  EXPECT_TRUE(HasToken(Request({{"x-spotrun-token", t}}), t));
  EXPECT_FALSE(HasToken(Request({}), t));
  EXPECT_FALSE(HasToken(Request({}, "token=" + t.substr(1)), t));
  EXPECT_FALSE(HasToken(Request({{"x-spotrun-token", "wrong"}}), t));
  EXPECT_FALSE(HasToken(Request({}, "token="), ""));  // No token never matches.
}

TEST(DashboardAccessTest, OnlyTheDashboardsOwnHost) {
  EXPECT_TRUE(HostAllowed(Request({{"host", "127.0.0.1:8080"}}), 8080));
  EXPECT_TRUE(HostAllowed(Request({{"host", "localhost:8080"}}), 8080));
  EXPECT_FALSE(HostAllowed(Request({{"host", "evil.example:8080"}}), 8080));
  EXPECT_FALSE(HostAllowed(Request({{"host", "127.0.0.1:8081"}}), 8080));
  EXPECT_FALSE(HostAllowed(Request({}), 8080));
}

TEST(DashboardAccessTest, SameOriginByOriginElseReferer) {
  const std::string o = "http://127.0.0.1:8080";
  EXPECT_TRUE(SameOrigin(Request({{"origin", o}}), o));
  EXPECT_FALSE(SameOrigin(Request({{"origin", "http://evil.example"}}), o));
  EXPECT_FALSE(SameOrigin(Request({{"origin", "null"}}), o));
  // An Origin decides even when the Referer would pass.
  EXPECT_FALSE(SameOrigin(Request({{"origin", "http://evil.example"}, {"referer", o + "/"}}), o));
  EXPECT_TRUE(SameOrigin(Request({{"referer", o + "/jobs/ab12"}}), o));
  EXPECT_FALSE(SameOrigin(Request({{"referer", o + "0/jobs/ab12"}}), o));
  EXPECT_FALSE(SameOrigin(Request({{"referer", "http://evil.example/"}}), o));
  EXPECT_FALSE(SameOrigin(Request({}), o));
}

}  // namespace
}  // namespace spotrun
