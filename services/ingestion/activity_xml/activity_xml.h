#pragma once

// Parsers for Garmin Training Center (TCX) and GPS Exchange (GPX) activity
// files: bytes in, plain structs out.
//
// Pure library: no I/O, no exceptions, no global state beyond libxml2's
// one-time initialisation. Safe to call from several threads at once.
//
// Hostile input. Uploads are parsed with libxml2's streaming reader, never
// building a whole-document tree, with network access off (XML_PARSE_NONET),
// no DTD loading, no entity substitution (XML_PARSE_NOENT is not set) and
// libxml2's default (non-"huge") limits on depth and text size. A document
// whose DOCTYPE declares entities (general or parameter) or names an external
// DTD is refused with InvalidArgument as soon as the reader reaches the
// DOCTYPE, before any element is interpreted; an entity reference anywhere is
// refused too; a bare `<!DOCTYPE gpx>` is tolerated with a warning. With
// these options libxml2 2.9.14 never fetches an external entity or DTD, and
// its amplification guard stops expansion bombs it meets while reading ahead
// (the tests cover billion laughs, quadratic blow-up and file:///etc/passwd
// XXE through general and parameter entities). Input larger than
// ParseOptions::max_bytes and
// documents with more than ParseOptions::max_points track points are refused
// with ResourceExhausted. Leading ASCII whitespace and a UTF-8 byte order
// mark before the XML declaration (seen in real exports) are skipped; line
// numbers in messages still count from the start of the caller's bytes.
// Status messages never quote the document: a parse error gives the line
// number, libxml2's error code and a generic description.
//
// Namespaces. Elements are matched on local name plus namespace URI: core
// elements must be in the namespace of the root element (whatever it is) or
// in none; extension elements must be in one of the known extension
// namespaces listed below, in the root's namespace or in none. An element
// whose prefix is not declared (`<gpxtpx:hr>` without xmlns:gpxtpx) is
// tolerated and matched by its local name, with one warning.
//
// Values. Every stored value is in the unit its field name says. A value
// that does not parse as a plain decimal number (hexadecimal, "inf", "nan"
// and empty text are refused) or falls outside the physical range below is
// dropped to std::nullopt with a warning; it is never stored as garbage:
//   latitude [-90, 90] deg and longitude [-180, 180] deg (a position is kept
//   only when both are valid); altitude [-1000, 9000] m; distance
//   [0, 10 000 km]; heart rate [20, 250] bpm (0 means "no reading" and is
//   dropped too); cadence [0, 300] steps/min after conversion; speed
//   [0, 20] m/s, or [0, 40] m/s when the sport is cycling; power
//   [0, 3000] W; temperature [-60, 70] degC; lap time [0, 7 days]; lap
//   calories [0, 20 000].
//
// Cadence. `cadence_spm` is always STEPS per minute. Evidence from the
// reference decodes of real files in shared/data:
//   * TCX `TPX/RunCadence` counts strides (one per two steps), like FIT's
//     record.cadence: movescount.tcx holds mostly 85-94 (mean 89) at a mean
//     3.2 m/s, i.e. 2.2 m per step if read as steps, 1.1 m as strides.
//     Stored as 2 x value.
//   * TCX core `Cadence` (trackpoint and lap) is pedal rpm in Garmin's schema,
//     but running exporters write strides there (movescount.tcx lap Cadence
//     89 next to RunCadence 88-90). Stored as 2 x value when the sport is
//     not cycling; not stored (one warning) for cycling.
//   * GPX `gpxtpx:cad` (and gpxdata/plain `cadence`) from Garmin Connect
//     counts strides: in 2067489619.gpx, cad 50-69 goes with 1.4 m/s
//     (walking: 0.6-0.8 m steps as strides, an impossible 1.3-1.6 m as
//     steps) and cad 70-89 with 2.2-2.4 m/s (running at 140-180 steps/min,
//     0.85 m steps). Stored as 2 x value, except for cycling track types,
//     where it is pedal rpm: not stored, one warning.
// A sport counts as cycling when it contains "bik", "cycl" or "ride"
// (ignoring case): TCX "Biking", GPX "cycling", "Ride", "mountain_biking".
//
// Warnings. Human-readable, positions 1-based in document order ("lap 1" is
// the first lap, "trackpoint 7" the seventh Trackpoint/trkpt element,
// counting skipped ones). At most 50 detailed warnings are kept, the rest
// counted in one "N further warnings suppressed" line; per-document summary
// lines (skipped points, times without offset, pedal cadence, tolerated
// leading whitespace / DOCTYPE / undeclared prefixes) follow.
//
// Not handled: TCX Courses and Workouts (only Activities are read), the old
// TCX v1 History/Run layout, GPX routes (rte) and waypoints (wpt), and
// vendor extensions in namespaces not listed below.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace gaitkeeper::ingestion::activity_xml {

// Namespace URIs recognised. Versions not listed are matched only through
// the "root namespace or none" rule above.
inline constexpr absl::string_view kTcxV2Ns =
    "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2";
inline constexpr absl::string_view kTcxV1Ns =
    "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v1";
// TCX trackpoint (TPX: Speed, RunCadence, Watts) and lap (LX: AvgSpeed,
// AvgRunCadence, MaxRunCadence, AvgWatts, MaxWatts) extensions.
inline constexpr absl::string_view kActivityExtensionV2Ns =
    "http://www.garmin.com/xmlschemas/ActivityExtension/v2";
inline constexpr absl::string_view kGpx11Ns =
    "http://www.topografix.com/GPX/1/1";
inline constexpr absl::string_view kGpx10Ns =
    "http://www.topografix.com/GPX/1/0";
// gpxtpx:TrackPointExtension: hr, cad, atemp (v1 and v2), speed (v2).
inline constexpr absl::string_view kTrackPointExtensionV1Ns =
    "http://www.garmin.com/xmlschemas/TrackPointExtension/v1";
inline constexpr absl::string_view kTrackPointExtensionV2Ns =
    "http://www.garmin.com/xmlschemas/TrackPointExtension/v2";
// gpxx:TrackPointExtension: Temperature.
inline constexpr absl::string_view kGpxExtensionsV3Ns =
    "http://www.garmin.com/xmlschemas/GpxExtensions/v3";
// PowerInWatts.
inline constexpr absl::string_view kPowerExtensionV1Ns =
    "http://www.garmin.com/xmlschemas/PowerExtension/v1";
// ClueTrust gpxdata: hr, cadence, temp, distance, speed.
inline constexpr absl::string_view kClueTrustGpxDataNs =
    "http://www.cluetrust.com/XML/GPXDATA/1/0";

struct TrackPoint {
  // Unix milliseconds, UTC. ISO-8601 with "Z" or a numeric offset, and any
  // number of fractional-second digits (rounded to the nearest ms). A time
  // without an offset is read as UTC, with one warning per document.
  int64_t time_ms = 0;
  std::optional<double> latitude_deg;
  std::optional<double> longitude_deg;
  // TCX AltitudeMeters, GPX ele.
  std::optional<double> altitude_m;
  // Cumulative distance from the start: TCX DistanceMeters, gpxdata:distance.
  std::optional<double> distance_m;
  // TCX HeartRateBpm/Value; GPX gpxtpx:hr, gpxdata:hr or plain <heartrate>
  // (gpxtpx wins when several are present).
  std::optional<double> heart_rate_bpm;
  // Steps per minute; see "Cadence" at the top of this file.
  std::optional<double> cadence_spm;
  // TCX TPX/Speed; GPX gpxtpx:speed (v2), gpxdata:speed, plain <speed>, or
  // the GPX 1.0 trkpt <speed>.
  std::optional<double> speed_mps;
  // TCX TPX/Watts; GPX PowerInWatts or plain <power>.
  std::optional<double> power_w;
  // GPX gpxtpx:atemp, gpxx:Temperature or gpxdata:temp; TCX has none.
  std::optional<double> temperature_c;
};

struct Lap {
  // Unix ms of the Lap StartTime attribute; 0 when missing or invalid (with
  // a warning).
  int64_t start_time_ms = 0;
  std::optional<double> total_time_s;
  std::optional<double> distance_m;
  std::optional<double> max_speed_mps;
  std::optional<double> average_heart_rate_bpm;
  std::optional<double> max_heart_rate_bpm;
  std::optional<double> calories;
  // From the LX lap extension when present.
  std::optional<double> average_speed_mps;
  // Steps per minute: LX AvgRunCadence x 2, else core lap Cadence x 2 for
  // non-cycling sports (see "Cadence" above).
  std::optional<double> average_cadence_spm;
  std::optional<double> max_cadence_spm;  // LX MaxRunCadence x 2
  std::optional<double> average_power_w;  // LX AvgWatts
  std::optional<double> max_power_w;      // LX MaxWatts
};

struct Activity {
  std::string format;  // "tcx" or "gpx"
  // TCX: the Sport attribute of the first Activity ("Running", "Biking",
  // "Other"). GPX: the type of the first trk that has one, else "".
  std::string sport;
  // TCX: Activity/Creator/Name (the device). GPX: the gpx creator attribute.
  std::string creator;
  // TCX: the first Activity's Id. GPX: metadata/time (1.1) or gpx/time (1.0).
  std::optional<int64_t> id_time_ms;
  // TCX laps of every Activity, in document order. Empty for GPX.
  std::vector<Lap> laps;
  // Track points of every TCX Activity/Lap/Track, or every GPX trk/trkseg,
  // in document order (not sorted). A point without a valid time is skipped
  // and counted in a warning.
  std::vector<TrackPoint> points;
  std::vector<std::string> warnings;
};

struct ParseOptions {
  size_t max_bytes = 64u << 20;
  // Counts every Trackpoint/trkpt element, including skipped ones.
  size_t max_points = 500000;
};

// Parses a TCX document. Returns InvalidArgument if the bytes are not
// well-formed XML (message: line number and a generic reason), if the root
// element is not TrainingCenterDatabase, if a DOCTYPE declares entities or
// an external DTD, or if no track point with a valid time is found ("no
// track points"); ResourceExhausted if `xml` is larger than
// options.max_bytes or holds more than options.max_points trackpoints.
absl::StatusOr<Activity> ParseTcx(absl::string_view xml,
                                  const ParseOptions& options = {});

// Parses a GPX 1.0 or 1.1 document; same errors as ParseTcx, with `gpx` as
// the expected root element.
absl::StatusOr<Activity> ParseGpx(absl::string_view xml,
                                  const ParseOptions& options = {});

// Sniffs the root element: "tcx" for TrainingCenterDatabase, "gpx" for gpx,
// "" for anything else, including bytes that are not XML, that break before
// the root element or whose DOCTYPE is refused (see above). A document broken
// after its root start tag is still recognised. Parsing stops at the root
// start tag, so the cost does not grow with the rest of the document.
std::string DetectFormat(absl::string_view bytes);

// Parses an ISO-8601 / xsd:dateTime such as "2012-12-26T21:29:53Z",
// "2017-10-08T14:54:11.000Z" or "2018-05-14T11:54:12+02:00" (also "T" as
// space, offsets as +hh, +hhmm) to Unix ms, rounding fractional seconds to
// the nearest ms. Surrounding whitespace is ignored. Sets *had_offset (if
// not null) to whether a "Z" or numeric offset was given; without one the
// time is read as UTC. Returns std::nullopt for anything else, for invalid
// calendar dates (2021-02-30) and for years outside [1970, 2100).
std::optional<int64_t> ParseDateTimeMs(absl::string_view text,
                                       bool* had_offset = nullptr);

}  // namespace gaitkeeper::ingestion::activity_xml
