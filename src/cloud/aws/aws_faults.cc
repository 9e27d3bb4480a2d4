#include "cloud/aws/aws_faults.h"

namespace spotrun::aws {
namespace {

std::string Escape(const std::string& text) {
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

}  // namespace

std::string AwsErrorXml(const std::string& code, const std::string& message,
                        const std::string& request_id) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>" +
         Escape(code) + "</Code><Message>" + Escape(message) +
         "</Message></Error></Errors><RequestID>" + Escape(request_id) + "</RequestID></Response>";
}

HttpFault AwsErrorFault(int status, const std::string& code, const std::string& message) {
  return HttpFault::Respond(status, AwsErrorXml(code, message), "text/xml;charset=UTF-8");
}

HttpFault ThrottlingFault(int status, const std::string& code) {
  return AwsErrorFault(status, code, "Request limit exceeded.");
}

HttpFault ServerErrorFault(int status, const std::string& code) {
  return AwsErrorFault(status, code, "An internal error has occurred");
}

}  // namespace spotrun::aws
