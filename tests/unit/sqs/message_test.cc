#include "streamstack/sqs/message.h"

#include <gtest/gtest.h>

namespace streamstack::sqs {
namespace {

TEST(Md5OfBody, MatchesRfc1321AndAwsExamples) {
  EXPECT_EQ(Md5OfBody(""), "d41d8cd98f00b204e9800998ecf8427e");  // RFC 1321 test suite
  EXPECT_EQ(Md5OfBody("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(Md5OfBody("hello"), "5d41402abc4b2a76b9719d911017c592");
}

TEST(Md5OfMessageAttributes, EmptyHasNoDigest) { EXPECT_EQ(Md5OfMessageAttributes({}), ""); }

// Expected values computed independently from the SQS developer guide's algorithm
// (tests/e2e/test_sqs.py md5_of_attributes).
TEST(Md5OfMessageAttributes, OneStringAttribute) {
  MessageAttributes attrs{{"color", {"String", "red", ""}}};
  EXPECT_EQ(Md5OfMessageAttributes(attrs), "20ca9041878c8c65d5a4bf6eaf446c21");
}

TEST(Md5OfMessageAttributes, SortedByNameWithBinaryAndCustomType) {
  MessageAttributes attrs{{"s", {"String", "h\xc3\xa9llo", ""}},
                          {"n", {"Number.int", "42", ""}},
                          {"b", {"Binary", "", std::string("\x00\x01\xff", 3)}}};
  EXPECT_EQ(Md5OfMessageAttributes(attrs), "903aef4c09b2fb424a009563b4960387");
}

TEST(IsValidMessageText, AcceptsAwsCharacterSet) {
  EXPECT_TRUE(IsValidMessageText("plain\ttext\r\n"));
  EXPECT_TRUE(IsValidMessageText("h\xc3\xa9llo \xf0\x9f\x98\x80"));  // é and an emoji
  EXPECT_FALSE(IsValidMessageText(std::string("nul\0", 4)));
  EXPECT_FALSE(IsValidMessageText("\x01"));
  EXPECT_FALSE(IsValidMessageText("\xc3"));          // truncated UTF-8
  EXPECT_FALSE(IsValidMessageText("\xef\xbf\xbe"));  // U+FFFE
  EXPECT_FALSE(IsValidMessageText("\xc0\xaf"));      // overlong
}

TEST(ValidateMessageAttributes, Rules) {
  struct Case {
    MessageAttributes attrs;
    bool ok;
  };
  std::vector<Case> cases = {
      {{{"a", {"String", "x", ""}}}, true},      {{{"a.b-c_d", {"Number", "-1.5e3", ""}}}, true},
      {{{"a", {"Binary", "", "\x01"}}}, true},   {{{"a", {"Weird", "x", ""}}}, false},
      {{{"a", {"Number", "abc", ""}}}, false},   {{{"a", {"String", "", ""}}}, false},
      {{{"AWS.x", {"String", "x", ""}}}, false}, {{{".a", {"String", "x", ""}}}, false},
      {{{"a..b", {"String", "x", ""}}}, false},  {{{"a b", {"String", "x", ""}}}, false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    Status s = ValidateMessageAttributes(cases[i].attrs);
    EXPECT_EQ(s.ok(), cases[i].ok) << "case " << i << ": " << s.message();
    if (!s.ok()) {
      EXPECT_EQ(s.code(), AwsError::kInvalidParameterValueQuery);
    }
  }
  MessageAttributes eleven;
  for (int i = 0; i < 11; ++i) eleven["a" + std::to_string(i)] = {"String", "x", ""};
  EXPECT_FALSE(ValidateMessageAttributes(eleven).ok());
}

}  // namespace
}  // namespace streamstack::sqs
