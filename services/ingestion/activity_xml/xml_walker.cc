#include "services/ingestion/activity_xml/xml_walker.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>

#include <climits>
#include <memory>
#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace gaitkeeper::ingestion::activity_xml::internal {
namespace {

// Network off; DTD loading, DTD default attributes, entity substitution,
// XInclude and "huge" limits all stay off because their flags are not set.
constexpr int kReaderOptions = XML_PARSE_NONET | XML_PARSE_NOBLANKS;

void InitLibxml2Once() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// First errors libxml2 reported, as code and line only: messages can quote
// the document and are never passed on.
struct ErrorLog {
  int fatal_code = 0;
  int fatal_line = 0;
  int any_code = 0;
  int any_line = 0;
  bool undeclared_prefix = false;
};

void OnLibxml2Error(void* arg, xmlErrorPtr error) {
  auto* log = static_cast<ErrorLog*>(arg);
  if (error == nullptr) return;
  if (error->domain == XML_FROM_NAMESPACE && error->level != XML_ERR_FATAL) {
    log->undeclared_prefix = true;
    return;
  }
  if (log->any_code == 0) {
    log->any_code = error->code;
    log->any_line = error->line;
  }
  if (error->level == XML_ERR_FATAL && log->fatal_code == 0) {
    log->fatal_code = error->code;
    log->fatal_line = error->line;
  }
}

absl::string_view DescribeError(int code) {
  switch (code) {
    case XML_ERR_INTERNAL_ERROR:
    case XML_ERR_NO_MEMORY:
      return "document exceeds the parser's limits";
    case XML_ERR_DOCUMENT_START:
    case XML_ERR_DOCUMENT_EMPTY:
      return "document is empty or does not start with an element";
    case XML_ERR_DOCUMENT_END:
    case XML_ERR_EXTRA_CONTENT:
      return "document is truncated or has content after the root element";
    case XML_ERR_TAG_NAME_MISMATCH:
      return "end tag does not match its start tag";
    case XML_ERR_TAG_NOT_FINISHED:
      return "element not closed before the end of the document";
    case XML_ERR_INVALID_CHAR:
    case XML_ERR_INVALID_ENCODING:
    case XML_ERR_UNKNOWN_ENCODING:
    case XML_ERR_UNSUPPORTED_ENCODING:
      return "invalid character or encoding";
    case XML_ERR_UNDECLARED_ENTITY:
    case XML_WAR_UNDECLARED_ENTITY:
      return "reference to an undeclared entity";
    case XML_ERR_ENTITY_LOOP:
      return "entity expansion refused";
    case XML_ERR_RESERVED_XML_NAME:
      return "XML declaration not at the start of the document";
    default:
      return "malformed XML";
  }
}

absl::Status NotWellFormed(int line, int code) {
  return absl::InvalidArgumentError(
      absl::StrCat("XML not well-formed at line ", line, ": ",
                   DescribeError(code), " (libxml2 error ", code, ")"));
}

struct ReaderDeleter {
  void operator()(xmlTextReader* reader) const { xmlFreeTextReader(reader); }
};

// Counts the lines a skipped prefix spans, as libxml2 would (CRLF and lone
// CR each end one line).
int CountLines(absl::string_view prefix) {
  int lines = 0;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] == '\n') {
      ++lines;
    } else if (prefix[i] == '\r' &&
               (i + 1 == prefix.size() || prefix[i + 1] != '\n')) {
      ++lines;
    }
  }
  return lines;
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::optional<std::string> XmlAttributes::Get(const char* name) const {
  xmlChar* value =
      xmlTextReaderGetAttribute(static_cast<xmlTextReaderPtr>(reader_),
                                reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return std::nullopt;
  std::string result(reinterpret_cast<const char*>(value));
  xmlFree(value);
  return result;
}

absl::Status WalkXml(absl::string_view bytes, XmlVisitor& visitor,
                     WalkNotes* notes) {
  InitLibxml2Once();

  // A UTF-8 byte order mark, then ASCII whitespace before "<?xml": libxml2
  // rejects the whitespace, real exports have it.
  absl::string_view doc = bytes;
  if (absl::StartsWith(doc, "\xEF\xBB\xBF")) doc.remove_prefix(3);
  size_t spaces = 0;
  while (spaces < doc.size() && IsAsciiSpace(doc[spaces])) ++spaces;
  const int line_offset = CountLines(doc.substr(0, spaces));
  if (spaces > 0 && absl::StartsWith(doc.substr(spaces), "<?xml")) {
    notes->skipped_leading_bytes = true;
  }
  doc.remove_prefix(spaces);
  if (doc.empty()) {
    return NotWellFormed(1 + line_offset, XML_ERR_DOCUMENT_EMPTY);
  }
  if (doc.size() > static_cast<size_t>(INT_MAX)) {
    return absl::ResourceExhaustedError("document larger than 2 GiB");
  }

  std::unique_ptr<xmlTextReader, ReaderDeleter> reader(xmlReaderForMemory(
      doc.data(), static_cast<int>(doc.size()),
      /*URL=*/nullptr, /*encoding=*/nullptr, kReaderOptions));
  if (reader == nullptr) {
    return absl::ResourceExhaustedError("cannot create an XML reader");
  }
  ErrorLog log;
  xmlTextReaderSetStructuredErrorHandler(reader.get(), OnLibxml2Error, &log);
  const XmlAttributes attributes(reader.get());

  std::vector<XmlElement> path;
  std::vector<std::string> texts;
  std::vector<bool> truncated;
  // The line of the node the reader is on. libxml2 stores node lines in 16
  // bits (65535 means "or later"); past that, and for nodes without a line,
  // the parser's own line is used, which may be a little ahead.
  auto current_line = [&] {
    const xmlNode* node = xmlTextReaderCurrentNode(reader.get());
    long line = node != nullptr ? xmlGetLineNo(node) : 0;
    if (line <= 0 || line >= 65535) {
      line = xmlTextReaderGetParserLineNumber(reader.get());
    }
    return static_cast<int>(line) + line_offset;
  };
  auto end_element = [&]() -> absl::Status {
    absl::Status status = visitor.OnEnd(path, texts.back(), truncated.back());
    path.pop_back();
    texts.pop_back();
    truncated.pop_back();
    return status;
  };

  int rc;
  while ((rc = xmlTextReaderRead(reader.get())) == 1) {
    switch (xmlTextReaderNodeType(reader.get())) {
      case XML_READER_TYPE_DOCUMENT_TYPE: {
        const xmlNode* node = xmlTextReaderCurrentNode(reader.get());
        const auto* dtd = node != nullptr && node->type == XML_DTD_NODE
                              ? reinterpret_cast<const xmlDtd*>(node)
                              : nullptr;
        if (dtd == nullptr || dtd->entities != nullptr ||
            dtd->pentities != nullptr || dtd->ExternalID != nullptr ||
            dtd->SystemID != nullptr) {
          return absl::InvalidArgumentError(
              absl::StrCat("DOCTYPE at line ", current_line(),
                           " declares entities or an external DTD: refused"));
        }
        notes->bare_doctype = true;
        break;
      }
      case XML_READER_TYPE_ENTITY_REFERENCE:
        return absl::InvalidArgumentError(absl::StrCat(
            "entity reference at line ", current_line(), ": refused"));
      case XML_READER_TYPE_ELEMENT: {
        XmlElement element;
        const xmlChar* local = xmlTextReaderConstLocalName(reader.get());
        const xmlChar* ns = xmlTextReaderConstNamespaceUri(reader.get());
        element.local_name = local ? reinterpret_cast<const char*>(local) : "";
        if (ns != nullptr) {
          element.namespace_uri = reinterpret_cast<const char*>(ns);
        } else if (size_t colon = element.local_name.find(':');
                   colon != std::string::npos) {
          element.local_name.erase(0, colon + 1);
          notes->undeclared_prefix = true;
        }
        element.line = current_line();
        const bool empty = xmlTextReaderIsEmptyElement(reader.get()) == 1;
        path.push_back(std::move(element));
        texts.emplace_back();
        truncated.push_back(false);
        if (absl::Status status = visitor.OnStart(path, attributes);
            !status.ok()) {
          return status;
        }
        if (empty) {
          if (absl::Status status = end_element(); !status.ok()) return status;
        }
        break;
      }
      case XML_READER_TYPE_END_ELEMENT:
        if (path.empty()) break;
        if (absl::Status status = end_element(); !status.ok()) return status;
        break;
      case XML_READER_TYPE_TEXT:
      case XML_READER_TYPE_CDATA: {
        if (texts.empty()) break;
        const xmlChar* value = xmlTextReaderConstValue(reader.get());
        if (value == nullptr) break;
        absl::string_view text(reinterpret_cast<const char*>(value));
        std::string& into = texts.back();
        const size_t room = kMaxElementTextBytes - into.size();
        if (text.size() > room) {
          truncated.back() = true;
          text = text.substr(0, room);
        }
        into.append(text.data(), text.size());
        break;
      }
      default:
        break;
    }
    if (visitor.Done()) break;
  }
  if (log.undeclared_prefix) notes->undeclared_prefix = true;
  if (rc < 0) {
    if (log.fatal_code != 0) {
      return NotWellFormed(log.fatal_line + line_offset, log.fatal_code);
    }
    if (log.any_code != 0) {
      return NotWellFormed(log.any_line + line_offset, log.any_code);
    }
    return NotWellFormed(current_line(), XML_ERR_INTERNAL_ERROR);
  }
  return absl::OkStatus();
}

}  // namespace gaitkeeper::ingestion::activity_xml::internal
