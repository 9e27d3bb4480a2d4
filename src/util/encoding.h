// Byte-string encodings shared by the HTTP and cloud adapters: hex, base64
// (RFC 4648, padded), percent-encoding (RFC 3986) and shell quoting. Pure
// functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace spotrun {

// Lower-case hex of every byte.
std::string HexEncode(std::string_view bytes);

// Standard alphabet with '=' padding.
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; ASCII whitespace is skipped. Returns nullopt on any
// other character outside the alphabet or on bad padding.
std::optional<std::string> Base64Decode(std::string_view text);

// Percent-encodes every byte except the RFC 3986 unreserved set
// (A-Z a-z 0-9 - . _ ~), with upper-case hex. When `keep_slash`, '/' is kept too.
std::string PercentEncode(std::string_view bytes, bool keep_slash = false);
// Decodes %XX escapes; when `plus_is_space`, '+' decodes to ' ' (form bodies).
// A malformed escape is kept literally.
std::string PercentDecode(std::string_view text, bool plus_is_space = false);

// `text` as one word for a POSIX shell: unchanged when it holds only
// characters no shell treats specially (letters, digits, and %+,-./:=@_),
// else in single quotes (a quote inside written as '\'').
std::string ShellQuote(std::string_view text);

// The offset of the first byte of `text` that does not start a well-formed
// UTF-8 sequence (RFC 3629: no overlong forms, no surrogates, nothing past
// U+10FFFF), or std::string_view::npos when all of it is UTF-8.
size_t FirstInvalidUtf8(std::string_view text);

}  // namespace spotrun
