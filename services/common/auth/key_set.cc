#include "services/common/auth/key_set.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <climits>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace gaitkeeper::auth {
namespace {

// Key files are small; anything bigger is a wrong path (a log, a disk image), not a key.
constexpr std::uintmax_t kMaxKeyFileBytes = 64 * 1024;
// The key-set file itself: a few lines per key.
constexpr std::uintmax_t kMaxKeySetFileBytes = 1024 * 1024;

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;

// Passphrase callback that refuses: an encrypted private key fails to load instead of OpenSSL
// prompting on the terminal (and libjwt, which passes no callback, could not use it anyway).
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

// Parses the first PEM block of `pem` as a public (kVerify) or private (kSign) key, the same way
// libjwt does when it verifies or signs. nullptr when it does not parse.
PkeyPtr ParsePem(absl::string_view pem, KeyUse use) {
  if (pem.size() > static_cast<size_t>(INT_MAX)) return nullptr;
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return nullptr;
  EVP_PKEY* key = use == KeyUse::kVerify
                      ? PEM_read_bio_PUBKEY(bio.get(), nullptr, NoPassphrase, nullptr)
                      : PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr);
  // OpenSSL's error queue is per thread; leave it empty for whoever uses OpenSSL next.
  ERR_clear_error();
  return PkeyPtr(key);
}

bool IsP256(EVP_PKEY* key) {
  char name[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof(name), &length) != 1) return false;
  int nid = OBJ_sn2nid(name);
  if (nid == NID_undef) nid = EC_curve_nist2nid(name);
  return nid == NID_X9_62_prime256v1;
}

absl::string_view KindOf(KeyUse use) { return use == KeyUse::kVerify ? "public" : "private"; }

// Reads a whole (small) file. NotFound when it is missing or unreadable, InvalidArgument when it
// is not a regular file or larger than `max_bytes`.
absl::StatusOr<std::string> ReadSmallFile(const std::filesystem::path& path,
                                          std::uintmax_t max_bytes) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    return absl::NotFoundError(absl::StrCat("cannot read ", path.string(), ": no such file"));
  }
  if (!std::filesystem::is_regular_file(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat(path.string(), " is not a regular file"));
  }
  std::uintmax_t size = std::filesystem::file_size(path, error);
  if (error) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  if (size > max_bytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path.string(), " is too large (", size, " bytes, at most ", max_bytes, ")"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  return contents;
}

// Same code, message prefixed with where the problem is.
absl::Status Prefixed(const absl::Status& status, absl::string_view where) {
  return absl::Status(status.code(), absl::StrCat(where, ": ", status.message()));
}

}  // namespace

absl::string_view AlgorithmName(Algorithm alg) {
  switch (alg) {
    case Algorithm::kHS256:
      return "HS256";
    case Algorithm::kRS256:
      return "RS256";
    case Algorithm::kES256:
      return "ES256";
  }
  return "?";
}

std::optional<Algorithm> ParseAlgorithm(absl::string_view name) {
  if (name == "HS256") return Algorithm::kHS256;
  if (name == "RS256") return Algorithm::kRS256;
  if (name == "ES256") return Algorithm::kES256;
  return std::nullopt;
}

bool IsValidKid(absl::string_view kid) {
  if (kid.empty() || kid.size() > kMaxKidLength) return false;
  for (char c : kid) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::Status ValidateKey(const Key& key, KeyUse use) {
  if (!IsValidKid(key.kid)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key id must be 1 to ", kMaxKidLength, " characters of [A-Za-z0-9._-]"));
  }
  const std::string where = absl::StrCat("key ", key.kid, " (", AlgorithmName(key.alg), ")");
  switch (key.alg) {
    case Algorithm::kHS256:
      if (key.material.size() < kMinHmacSecretBytes) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": secret is ", key.material.size(),
                                                       " bytes, at least ", kMinHmacSecretBytes,
                                                       " are required"));
      }
      // A PEM used as an HMAC secret is the classic algorithm-confusion mistake: refuse it.
      if (absl::StrContains(key.material, "-----BEGIN")) {
        return absl::InvalidArgumentError(
            absl::StrCat(where, ": secret looks like a PEM key, not a random secret"));
      }
      return absl::OkStatus();
    case Algorithm::kRS256: {
      PkeyPtr pkey = ParsePem(key.material, use);
      if (pkey == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": not an unencrypted PEM ", KindOf(use), " key"));
      }
      if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_RSA) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": not an RSA key"));
      }
      int bits = EVP_PKEY_get_bits(pkey.get());
      if (bits < kMinRsaBits) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": RSA key has ", bits,
                                                       " bits, at least ", kMinRsaBits,
                                                       " are required"));
      }
      return absl::OkStatus();
    }
    case Algorithm::kES256: {
      PkeyPtr pkey = ParsePem(key.material, use);
      if (pkey == nullptr) {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ": not an unencrypted PEM ", KindOf(use), " key"));
      }
      if (EVP_PKEY_get_base_id(pkey.get()) != EVP_PKEY_EC || !IsP256(pkey.get())) {
        return absl::InvalidArgumentError(absl::StrCat(where, ": not an EC P-256 key"));
      }
      return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(absl::StrCat(where, ": unknown algorithm"));
}

absl::StatusOr<KeySet> KeySet::Create(std::vector<Key> keys, KeyUse use) {
  std::set<std::string, std::less<>> kids;
  for (const Key& key : keys) {
    if (absl::Status status = ValidateKey(key, use); !status.ok()) return status;
    if (!kids.insert(key.kid).second) {
      return absl::InvalidArgumentError(absl::StrCat("duplicate key id ", key.kid));
    }
  }
  return KeySet(std::move(keys));
}

const Key* KeySet::Find(absl::string_view kid) const {
  for (const Key& key : keys_) {
    if (key.kid == kid) return &key;
  }
  return nullptr;
}

absl::StatusOr<KeySet> LoadKeySet(absl::string_view path, KeyUse use) {
  const std::filesystem::path set_path{std::string(path)};
  absl::StatusOr<std::string> contents = ReadSmallFile(set_path, kMaxKeySetFileBytes);
  if (!contents.ok()) return Prefixed(contents.status(), "key set");
  const std::filesystem::path base_dir = set_path.parent_path();

  std::vector<Key> keys;
  std::set<std::string, std::less<>> kids;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(*contents, '\n')) {
    ++line_number;
    const std::string where = absl::StrCat("key set ", set_path.string(), " line ", line_number);
    // '#' starts a comment (kids, algorithms and sensible paths never contain one).
    if (size_t hash = line.find('#'); hash != absl::string_view::npos) line = line.substr(0, hash);
    line = absl::StripAsciiWhitespace(line);  // also drops a Windows '\r'
    if (line.empty()) continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (fields.size() != 3) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": expected \"kid alg key_file\", found ", fields.size(),
                       " fields"));
    }
    Key key;
    key.kid = std::string(fields[0]);
    if (!IsValidKid(key.kid)) {
      return absl::InvalidArgumentError(absl::StrCat(
          where, ": key id must be 1 to ", kMaxKidLength, " characters of [A-Za-z0-9._-]"));
    }
    if (kids.count(key.kid) > 0) {
      return absl::InvalidArgumentError(absl::StrCat(where, ": duplicate key id ", key.kid));
    }
    std::optional<Algorithm> alg = ParseAlgorithm(fields[1]);
    if (!alg.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ": algorithm must be HS256, RS256 or ES256"));
    }
    key.alg = *alg;
    std::filesystem::path key_path{std::string(fields[2])};
    if (key_path.is_relative()) key_path = base_dir / key_path;
    absl::StatusOr<std::string> material = ReadSmallFile(key_path, kMaxKeyFileBytes);
    if (!material.ok()) return Prefixed(material.status(), where);
    key.material = *std::move(material);
    if (absl::Status status = ValidateKey(key, use); !status.ok()) {
      return Prefixed(status, where);
    }
    kids.insert(key.kid);
    keys.push_back(std::move(key));
  }
  if (keys.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("key set ", set_path.string(), ": contains no keys"));
  }
  return KeySet(std::move(keys));
}

}  // namespace gaitkeeper::auth
