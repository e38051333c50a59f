#pragma once

// Internal to activity_xml: a hardened, streaming walk over an XML document
// with libxml2's xmlTextReader. Callers see start and end tags with the
// element's own text; nothing else of libxml2 leaks out.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace gaitkeeper::ingestion::activity_xml::internal {

// Text longer than this inside one element is cut (and flagged): no field
// this library reads is anywhere near as long.
inline constexpr size_t kMaxElementTextBytes = 1024;

struct XmlElement {
  // Local name. When the element's prefix is not declared, libxml2 reports
  // "prefix:local" with no namespace; the prefix is stripped here.
  std::string local_name;
  std::string namespace_uri;  // "" when the element is in no namespace
  int line = 0;               // 1-based, counted from the caller's bytes
};

// Attribute access, valid only inside XmlVisitor::OnStart.
class XmlAttributes {
 public:
  explicit XmlAttributes(void* reader) : reader_(reader) {}
  // The value of the unprefixed attribute `name`, or nullopt if absent.
  std::optional<std::string> Get(const char* name) const;

 private:
  void* reader_;
};

class XmlVisitor {
 public:
  virtual ~XmlVisitor() = default;
  // `path` runs from the root element to the element just opened (back()).
  // A non-OK status stops the walk and is returned by WalkXml.
  virtual absl::Status OnStart(const std::vector<XmlElement>& path,
                               const XmlAttributes& attributes) = 0;
  // Called for every element, empty ones included, before it leaves `path`.
  // `text` is the concatenation of the element's own text and CDATA
  // children (not its descendants'), cut to kMaxElementTextBytes
  // (`truncated` then true).
  virtual absl::Status OnEnd(const std::vector<XmlElement>& path,
                             absl::string_view text, bool truncated) = 0;
  // Checked after every event: true ends the walk early with OK.
  virtual bool Done() const { return false; }
};

// What the walk tolerated, for the caller's warnings.
struct WalkNotes {
  bool skipped_leading_bytes = false;  // whitespace / BOM before "<?xml"
  bool undeclared_prefix = false;      // an element prefix had no xmlns
  bool bare_doctype = false;           // DOCTYPE without entities / ext. DTD
};

// Walks `bytes` (which the caller has already size-checked) with network,
// DTD loading and entity substitution off. Returns InvalidArgument, with a
// line number and a generic reason but no document bytes, if the document
// is not well-formed, if its DOCTYPE declares entities or names an external
// DTD, or if it holds entity references; otherwise the first non-OK status
// of the visitor, or OK.
absl::Status WalkXml(absl::string_view bytes, XmlVisitor& visitor,
                     WalkNotes* notes);

}  // namespace gaitkeeper::ingestion::activity_xml::internal
