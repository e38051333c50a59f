#pragma once

#include <string>

#include "absl/strings/string_view.h"

namespace gaitkeeper::ingestion {

// The 32-byte SHA-256 digest of `data` (OpenSSL), used to recognise a re-uploaded file.
std::string Sha256(absl::string_view data);

}  // namespace gaitkeeper::ingestion
