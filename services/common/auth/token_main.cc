// gaitkeeper-token: mints a signed JWT for development, tests and scripts.
//
//   gaitkeeper-token --signing_keys=FILE --kid=KID --subject=S --role=R [--clinic=UUID]
//                    [--issuer=gaitkeeper-dev] [--audience=gaitkeeper] [--ttl_s=3600]
//
// prints the token (and a newline) on stdout and nothing else; any error goes to stderr with
// exit status 2. A command-line tool, so plain text rather than the services' JSON log lines.
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "services/common/auth/jwt.h"
#include "services/common/auth/key_set.h"
#include "services/common/flags.h"

namespace {

int Fail(const absl::Status& status) {
  std::fprintf(stderr, "gaitkeeper-token: %s\n", std::string(status.message()).c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace gaitkeeper;
  Flags flags("gaitkeeper-token");
  flags.AddString("signing_keys", "GK_JWT_SIGNING_KEYS", "",
                  "key-set file of signing keys (private keys / HS256 secrets), required");
  flags.AddString("kid", "GK_JWT_KID", "",
                  "key id to sign with; may be left out when the set has exactly one key");
  flags.AddString("subject", "GK_TOKEN_SUBJECT", "", "sub claim (e.g. the athlete id), required");
  flags.AddString("role", "GK_TOKEN_ROLE", "",
                  "role claim: athlete | clinician | clinic_admin | service, required");
  flags.AddString("clinic", "GK_TOKEN_CLINIC", "",
                  "clinic claim (lower-case UUID): required for clinician and clinic_admin");
  flags.AddString("issuer", "GK_JWT_ISSUER", "gaitkeeper-dev", "iss claim");
  flags.AddString("audience", "GK_JWT_AUDIENCE", "gaitkeeper",
                  "aud claim; several audiences separated by commas");
  flags.AddInt("ttl_s", "GK_TOKEN_TTL_S", 3600, 1, 86400, "lifetime in seconds (exp - iat)");

  absl::Status parsed = flags.Parse(argc, argv);
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!parsed.ok()) return Fail(parsed);
  for (const char* required : {"signing_keys", "subject", "role"}) {
    if (flags.GetString(required).empty()) {
      return Fail(absl::InvalidArgumentError(absl::StrCat("--", required, " is required")));
    }
  }

  absl::StatusOr<auth::KeySet> keys =
      auth::LoadKeySet(flags.GetString("signing_keys"), auth::KeyUse::kSign);
  if (!keys.ok()) return Fail(keys.status());
  const std::string& kid = flags.GetString("kid");
  const auth::Key* key = nullptr;
  if (kid.empty()) {
    if (keys->keys().size() != 1) {
      return Fail(absl::InvalidArgumentError("--kid is required: the key set has several keys"));
    }
    key = &keys->keys().front();
  } else {
    key = keys->Find(kid);
    if (key == nullptr) {
      return Fail(absl::NotFoundError(absl::StrCat("no key ", kid, " in the signing key set")));
    }
  }

  auth::Claims claims;
  claims.issuer = flags.GetString("issuer");
  claims.subject = flags.GetString("subject");
  claims.role = flags.GetString("role");
  claims.clinic = flags.GetString("clinic");
  claims.audience = absl::StrSplit(flags.GetString("audience"), ',', absl::SkipEmpty());
  // Whole seconds, so exp - iat is exactly the requested lifetime.
  claims.issued_at = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
  claims.expires_at = claims.issued_at + absl::Seconds(flags.GetInt("ttl_s"));

  absl::StatusOr<std::string> token = auth::TokenSigner(*key).Mint(claims);
  if (!token.ok()) return Fail(token.status());
  std::fputs(token->c_str(), stdout);
  std::fputc('\n', stdout);
  return std::fflush(stdout) == 0 ? 0 : 2;
}
