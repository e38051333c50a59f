#include "services/ingestion/activity_xml/activity_xml.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/ingestion/activity_xml/xml_walker.h"

namespace gaitkeeper::ingestion::activity_xml {
namespace {

using internal::WalkNotes;
using internal::WalkXml;
using internal::XmlAttributes;
using internal::XmlElement;
using internal::XmlVisitor;

constexpr size_t kMaxDetailedWarnings = 50;

// Physical ranges; see the header. Values outside are dropped.
struct Range {
  double min;
  double max;
};
constexpr Range kLatitude{-90, 90};
constexpr Range kLongitude{-180, 180};
constexpr Range kAltitude{-1000, 9000};
constexpr Range kDistance{0, 1e7};
constexpr Range kHeartRate{20, 250};
constexpr Range kCadenceSpm{0, 300};
constexpr Range kSpeedOnFoot{0, 20};
constexpr Range kSpeedCycling{0, 40};
constexpr Range kPower{0, 3000};
constexpr Range kTemperature{-60, 70};
constexpr Range kLapTime{0, 7 * 86400};
constexpr Range kCalories{0, 20000};

// Running cadence in TCX and GPX counts strides; see the header.
constexpr double kStepsPerStride = 2;

// Warnings with a cap on detail; summary lines always survive.
class WarningLog {
 public:
  void Add(std::string message) {
    if (detailed_.size() < kMaxDetailedWarnings) {
      detailed_.push_back(std::move(message));
    } else {
      ++suppressed_;
    }
  }
  void AddSummary(std::string message) {
    summaries_.push_back(std::move(message));
  }

  std::vector<std::string> Take() && {
    std::vector<std::string> all = std::move(detailed_);
    if (suppressed_ > 0) {
      all.push_back(absl::StrCat(suppressed_, " further warnings suppressed"));
    }
    for (std::string& summary : summaries_) all.push_back(std::move(summary));
    return all;
  }

 private:
  std::vector<std::string> detailed_;
  std::vector<std::string> summaries_;
  size_t suppressed_ = 0;
};

std::string FormatNumber(double value) {
  char buffer[40];
  if (value == std::trunc(value) && std::fabs(value) < 1e15) {
    std::snprintf(buffer, sizeof(buffer), "%.1f", value);
  } else {
    std::snprintf(buffer, sizeof(buffer), "%.7g", value);
  }
  return buffer;
}

// A plain decimal number: [+-]digits[.digits][(e|E)[+-]digits], surrounded
// by optional whitespace. No hexadecimal, "inf" or "nan".
std::optional<double> ParseDecimal(absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t digits = 0;
  while (i < text.size() && absl::ascii_isdigit(text[i])) ++i, ++digits;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && absl::ascii_isdigit(text[i])) ++i, ++digits;
  }
  if (digits == 0) return std::nullopt;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    size_t exponent_digits = 0;
    while (i < text.size() && absl::ascii_isdigit(text[i])) {
      ++i, ++exponent_digits;
    }
    if (exponent_digits == 0) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  if (text.front() == '+') text.remove_prefix(1);  // from_chars refuses '+'
  double value = 0;
  const auto [end, error] =
      std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

bool IsCyclingSport(absl::string_view sport) {
  const std::string lower = absl::AsciiStrToLower(sport);
  return absl::StrContains(lower, "bik") || absl::StrContains(lower, "cycl") ||
         absl::StrContains(lower, "ride");
}

// Text of one element, kept until the enclosing point or lap is complete.
// A later source replaces an earlier one only with a higher priority.
struct RawText {
  std::string text;
  bool truncated = false;
  int priority = -1;

  bool present() const { return priority >= 0; }
  void Set(absl::string_view value, bool cut, int new_priority) {
    if (new_priority <= priority) return;
    text.assign(value.data(), value.size());
    truncated = cut;
    priority = new_priority;
  }
};

struct RawPoint {
  size_t index = 0;  // 1-based among the document's trackpoint elements
  RawText time, latitude, longitude, altitude, distance, heart_rate, speed,
      power, temperature;
  RawText run_cadence;  // strides/min, whatever the sport (TCX RunCadence)
  RawText cadence;      // strides/min unless the sport is cycling (then rpm)
};

struct RawLap {
  size_t index = 0;  // 1-based
  std::optional<std::string> start_time;
  RawText total_time, distance, max_speed, calories, cadence, average_hr,
      max_hr, average_speed, average_run_cadence, max_run_cadence,
      average_power, max_power;
};

// Everything both formats share: point and lap validation, limits,
// warnings and the final checks.
class ActivityBuilder {
 public:
  ActivityBuilder(std::string format, const ParseOptions& options)
      : options_(options) {
    activity_.format = std::move(format);
  }

  Activity& activity() { return activity_; }
  WarningLog& warnings() { return warnings_; }

  // Numbers the next trackpoint element; ResourceExhausted past the cap.
  absl::StatusOr<size_t> NextPointIndex() {
    if (++points_seen_ > options_.max_points) {
      return absl::ResourceExhaustedError(
          absl::StrCat("more than ", options_.max_points, " track points"));
    }
    return points_seen_;
  }

  // Parses a time, counting those without a UTC offset.
  std::optional<int64_t> Time(const RawText& raw) {
    if (!raw.present() || raw.truncated) return std::nullopt;
    bool had_offset = false;
    std::optional<int64_t> ms = ParseDateTimeMs(raw.text, &had_offset);
    if (ms.has_value() && !had_offset) ++times_without_offset_;
    return ms;
  }

  // The value of `raw` times `scale` if it is a number within `range`;
  // otherwise nullopt, with a warning when the element was present.
  std::optional<double> Checked(const RawText& raw, Range range,
                                absl::string_view what, absl::string_view unit,
                                double scale = 1) {
    if (!raw.present()) return std::nullopt;
    std::optional<double> value =
        raw.truncated ? std::nullopt : ParseDecimal(raw.text);
    if (!value.has_value()) {
      warnings_.Add(absl::StrCat(what, " is not a number: ignored"));
      return std::nullopt;
    }
    const double scaled = *value * scale;
    if (scaled < range.min || scaled > range.max) {
      warnings_.Add(absl::StrCat(what, " ", FormatNumber(scaled), " ", unit,
                                 " implausible: ignored"));
      return std::nullopt;
    }
    return scaled;
  }

  void FinishPoint(const RawPoint& raw, bool cycling) {
    std::optional<int64_t> time = Time(raw.time);
    if (!time.has_value()) {
      if (points_skipped_++ == 0) first_skipped_ = raw.index;
      return;
    }
    const std::string label = absl::StrCat("trackpoint ", raw.index);
    TrackPoint point;
    point.time_ms = *time;
    if (raw.latitude.present() || raw.longitude.present()) {
      std::optional<double> latitude =
          Checked(raw.latitude, kLatitude, label + " latitude", "deg");
      std::optional<double> longitude =
          Checked(raw.longitude, kLongitude, label + " longitude", "deg");
      if (latitude.has_value() && longitude.has_value()) {
        point.latitude_deg = latitude;
        point.longitude_deg = longitude;
      } else if (latitude.has_value() || longitude.has_value()) {
        warnings_.Add(absl::StrCat(
            label, " has only one valid coordinate: position ignored"));
      }
    }
    point.altitude_m =
        Checked(raw.altitude, kAltitude, label + " altitude", "m");
    point.distance_m =
        Checked(raw.distance, kDistance, label + " distance", "m");
    point.heart_rate_bpm =
        Checked(raw.heart_rate, kHeartRate, label + " heart rate", "bpm");
    point.speed_mps = Checked(raw.speed, cycling ? kSpeedCycling : kSpeedOnFoot,
                              label + " speed", "m/s");
    point.power_w = Checked(raw.power, kPower, label + " power", "W");
    point.temperature_c =
        Checked(raw.temperature, kTemperature, label + " temperature", "degC");
    if (raw.run_cadence.present()) {
      point.cadence_spm =
          Checked(raw.run_cadence, kCadenceSpm, label + " cadence", "steps/min",
                  kStepsPerStride);
    } else if (raw.cadence.present()) {
      if (cycling) {
        ++pedal_cadences_;
      } else {
        point.cadence_spm =
            Checked(raw.cadence, kCadenceSpm, label + " cadence", "steps/min",
                    kStepsPerStride);
      }
    }
    if (!activity_.points.empty() &&
        point.time_ms < activity_.points.back().time_ms) {
      ++points_backwards_;
    }
    activity_.points.push_back(point);
  }

  void FinishLap(const RawLap& raw, bool cycling) {
    const std::string label = absl::StrCat("lap ", raw.index, " ");
    Lap lap;
    std::optional<int64_t> start;
    if (raw.start_time.has_value()) {
      RawText text;
      text.Set(*raw.start_time, false, 0);
      start = Time(text);
    }
    if (start.has_value()) {
      lap.start_time_ms = *start;
    } else {
      warnings_.Add(
          absl::StrCat(label, "StartTime missing or invalid: 0 used"));
    }
    lap.total_time_s =
        Checked(raw.total_time, kLapTime, label + "TotalTimeSeconds", "s");
    lap.distance_m =
        Checked(raw.distance, kDistance, label + "DistanceMeters", "m");
    lap.max_speed_mps = MaxSpeed(raw.max_speed, cycling, label);
    lap.average_heart_rate_bpm = Checked(raw.average_hr, kHeartRate,
                                         label + "AverageHeartRateBpm", "bpm");
    lap.max_heart_rate_bpm =
        Checked(raw.max_hr, kHeartRate, label + "MaximumHeartRateBpm", "bpm");
    lap.calories = Checked(raw.calories, kCalories, label + "Calories", "kcal");
    const Range speed_range = cycling ? kSpeedCycling : kSpeedOnFoot;
    lap.average_speed_mps =
        Checked(raw.average_speed, speed_range, label + "AvgSpeed", "m/s");
    if (raw.average_run_cadence.present()) {
      lap.average_cadence_spm =
          Checked(raw.average_run_cadence, kCadenceSpm, label + "AvgRunCadence",
                  "steps/min", kStepsPerStride);
    } else if (raw.cadence.present() && !cycling) {
      lap.average_cadence_spm =
          Checked(raw.cadence, kCadenceSpm, label + "Cadence", "steps/min",
                  kStepsPerStride);
    }
    lap.max_cadence_spm =
        Checked(raw.max_run_cadence, kCadenceSpm, label + "MaxRunCadence",
                "steps/min", kStepsPerStride);
    lap.average_power_w =
        Checked(raw.average_power, kPower, label + "AvgWatts", "W");
    lap.max_power_w = Checked(raw.max_power, kPower, label + "MaxWatts", "W");
    activity_.laps.push_back(lap);
  }

  // Final checks and summary warnings.
  absl::StatusOr<Activity> Finish(const WalkNotes& notes) && {
    if (activity_.points.empty()) {
      if (points_skipped_ > 0) {
        return absl::InvalidArgumentError(
            absl::StrCat("no track points with a valid time (", points_skipped_,
                         " skipped)"));
      }
      return absl::InvalidArgumentError("no track points");
    }
    if (notes.skipped_leading_bytes) {
      warnings_.AddSummary("whitespace before the XML declaration skipped");
    }
    if (notes.bare_doctype) {
      warnings_.AddSummary("DOCTYPE without entities ignored");
    }
    if (notes.undeclared_prefix) {
      warnings_.AddSummary(
          "element prefix without a namespace declaration: matched by local "
          "name");
    }
    if (points_skipped_ > 0) {
      warnings_.AddSummary(
          absl::StrCat(points_skipped_,
                       " trackpoints without a valid time skipped (first: "
                       "trackpoint ",
                       first_skipped_, ")"));
    }
    if (times_without_offset_ > 0) {
      warnings_.AddSummary(absl::StrCat(
          times_without_offset_, " times without a UTC offset read as UTC"));
    }
    if (points_backwards_ > 0) {
      warnings_.AddSummary(absl::StrCat(
          points_backwards_,
          " trackpoints earlier than the point before them (kept in "
          "document order)"));
    }
    if (pedal_cadences_ > 0) {
      warnings_.AddSummary(absl::StrCat(
          pedal_cadences_,
          " cadence values of a cycling activity are pedal rpm: not stored as "
          "steps/min"));
    }
    activity_.warnings = std::move(warnings_).Take();
    return std::move(activity_);
  }

 private:
  // Lap MaximumSpeed, with a hint for exporters that write m/h (Suunto
  // Movescount: 18720 where the lap's fastest trackpoint says 5.2 m/s).
  std::optional<double> MaxSpeed(const RawText& raw, bool cycling,
                                 absl::string_view label) {
    const Range range = cycling ? kSpeedCycling : kSpeedOnFoot;
    if (!raw.present()) return std::nullopt;
    std::optional<double> value =
        raw.truncated ? std::nullopt : ParseDecimal(raw.text);
    if (value.has_value() && *value > range.max && *value / 3600 <= range.max) {
      warnings_.Add(absl::StrCat(
          label, "MaximumSpeed ", FormatNumber(*value), " m/s implausible (",
          FormatNumber(*value / 3600), " m/s if it were m/h): ignored"));
      return std::nullopt;
    }
    return Checked(raw, range, absl::StrCat(label, "MaximumSpeed"), "m/s");
  }

  const ParseOptions options_;
  Activity activity_;
  WarningLog warnings_;
  size_t points_seen_ = 0;
  size_t points_skipped_ = 0;
  size_t first_skipped_ = 0;
  size_t points_backwards_ = 0;
  size_t times_without_offset_ = 0;
  size_t pedal_cadences_ = 0;
};

absl::Status WrongRoot(const XmlElement& root, absl::string_view expected) {
  std::string detected;
  if (root.local_name == "gpx") detected = " (the document is GPX)";
  if (root.local_name == "TrainingCenterDatabase") {
    detected = " (the document is TCX)";
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "root element at line ", root.line, " is not ", expected, detected));
}

absl::Status CheckSize(absl::string_view xml, const ParseOptions& options) {
  if (xml.size() > options.max_bytes) {
    return absl::ResourceExhaustedError(
        absl::StrCat("document of ", xml.size(), " bytes exceeds the limit of ",
                     options.max_bytes, " bytes"));
  }
  return absl::OkStatus();
}

// Common helpers for visitors: elements by local name in the root's
// namespace (or none), or in one extra namespace.
class VisitorBase : public XmlVisitor {
 protected:
  bool Core(const XmlElement& element, absl::string_view local) const {
    return element.local_name == local &&
           (element.namespace_uri.empty() || element.namespace_uri == root_ns_);
  }
  bool CoreOr(const XmlElement& element, absl::string_view local,
              absl::string_view ns) const {
    return Core(element, local) ||
           (element.local_name == local && element.namespace_uri == ns);
  }
  // Element at 1-based `depth` of `path` (1 is the root).
  static const XmlElement& At(const std::vector<XmlElement>& path,
                              size_t depth) {
    return path[depth - 1];
  }

  std::string root_ns_;
};

// TCX: TrainingCenterDatabase/Activities/Activity (also inside
// MultiSportSession FirstSport/NextSport), its Laps and Trackpoints.
class TcxVisitor : public VisitorBase {
 public:
  explicit TcxVisitor(ActivityBuilder& builder) : builder_(builder) {}

  absl::Status OnStart(const std::vector<XmlElement>& path,
                       const XmlAttributes& attributes) override {
    const XmlElement& element = path.back();
    const size_t depth = path.size();
    if (depth == 1) {
      if (element.local_name != "TrainingCenterDatabase") {
        return WrongRoot(element, "TrainingCenterDatabase");
      }
      root_ns_ = element.namespace_uri;
      if (!root_ns_.empty() && root_ns_ != kTcxV2Ns && root_ns_ != kTcxV1Ns) {
        builder_.warnings().AddSummary(
            "root element in an unknown namespace: read as TCX v2");
      }
      return absl::OkStatus();
    }
    const XmlElement& parent = At(path, depth - 1);
    if (activity_depth_ == 0 && Core(element, "Activity") &&
        (Core(parent, "Activities") || Core(parent, "FirstSport") ||
         Core(parent, "NextSport"))) {
      activity_depth_ = depth;
      ++activities_;
      sport_ = std::string(
          absl::StripAsciiWhitespace(attributes.Get("Sport").value_or("")));
      cycling_ = IsCyclingSport(sport_);
      if (activities_ == 1) {
        builder_.activity().sport = sport_;
      } else if (sport_ != builder_.activity().sport) {
        mixed_sports_ = true;
      }
    } else if (activity_depth_ != 0 && lap_depth_ == 0 &&
               depth == activity_depth_ + 1 && Core(element, "Lap")) {
      lap_depth_ = depth;
      lap_ = RawLap();
      lap_.index = ++laps_;
      lap_.start_time = attributes.Get("StartTime");
    } else if (lap_depth_ != 0 && point_depth_ == 0 &&
               depth == lap_depth_ + 2 && Core(element, "Trackpoint") &&
               Core(parent, "Track")) {
      absl::StatusOr<size_t> index = builder_.NextPointIndex();
      if (!index.ok()) return index.status();
      point_depth_ = depth;
      point_ = RawPoint();
      point_.index = *index;
    }
    return absl::OkStatus();
  }

  absl::Status OnEnd(const std::vector<XmlElement>& path,
                     absl::string_view text, bool truncated) override {
    const XmlElement& element = path.back();
    const size_t depth = path.size();
    if (point_depth_ != 0) {
      if (depth == point_depth_) {
        builder_.FinishPoint(point_, cycling_);
        point_depth_ = 0;
      } else {
        OnPointChild(path, text, truncated);
      }
    } else if (lap_depth_ != 0) {
      if (depth == lap_depth_) {
        builder_.FinishLap(lap_, cycling_);
        lap_depth_ = 0;
      } else {
        OnLapChild(path, text, truncated);
      }
    } else if (activity_depth_ != 0) {
      if (depth == activity_depth_) {
        activity_depth_ = 0;
      } else if (activities_ == 1 && depth == activity_depth_ + 1 &&
                 Core(element, "Id")) {
        RawText raw;
        raw.Set(text, truncated, 0);
        builder_.activity().id_time_ms = builder_.Time(raw);
        if (!builder_.activity().id_time_ms.has_value()) {
          builder_.warnings().Add("activity Id is not a valid time: ignored");
        }
      } else if (depth == activity_depth_ + 2 && Core(element, "Name") &&
                 Core(At(path, depth - 1), "Creator") &&
                 builder_.activity().creator.empty() && !truncated) {
        builder_.activity().creator =
            std::string(absl::StripAsciiWhitespace(text));
      }
    }
    if (depth == 1 && activities_ > 1) {
      builder_.warnings().AddSummary(absl::StrCat(
          activities_, " activities",
          mixed_sports_ ? " of different sports" : "",
          ": laps and points merged in document order; sport is the first's"));
    }
    return absl::OkStatus();
  }

 private:
  bool Ext(const XmlElement& element, absl::string_view local) const {
    return CoreOr(element, local, kActivityExtensionV2Ns);
  }

  void OnPointChild(const std::vector<XmlElement>& path, absl::string_view text,
                    bool truncated) {
    const XmlElement& element = path.back();
    const size_t relative = path.size() - point_depth_;
    const XmlElement& parent = At(path, path.size() - 1);
    if (relative == 1) {
      if (Core(element, "Time")) {
        point_.time.Set(text, truncated, 0);
      } else if (Core(element, "AltitudeMeters")) {
        point_.altitude.Set(text, truncated, 0);
      } else if (Core(element, "DistanceMeters")) {
        point_.distance.Set(text, truncated, 0);
      } else if (Core(element, "Cadence")) {
        point_.cadence.Set(text, truncated, 0);
      } else if (Core(element, "HeartRateBpm") &&
                 !absl::StripAsciiWhitespace(text).empty()) {
        // TCX v1 wrote the number directly; v2 wraps it in Value.
        point_.heart_rate.Set(text, truncated, 0);
      }
    } else if (relative == 2) {
      if (Core(parent, "Position")) {
        if (Core(element, "LatitudeDegrees")) {
          point_.latitude.Set(text, truncated, 0);
        } else if (Core(element, "LongitudeDegrees")) {
          point_.longitude.Set(text, truncated, 0);
        }
      } else if (Core(parent, "HeartRateBpm") && Core(element, "Value")) {
        point_.heart_rate.Set(text, truncated, 1);
      }
    } else if (relative == 3 && Ext(parent, "TPX") &&
               Core(At(path, point_depth_ + 1), "Extensions")) {
      if (Ext(element, "Speed")) {
        point_.speed.Set(text, truncated, 0);
      } else if (Ext(element, "RunCadence")) {
        point_.run_cadence.Set(text, truncated, 0);
      } else if (Ext(element, "Watts")) {
        point_.power.Set(text, truncated, 0);
      }
    }
  }

  void OnLapChild(const std::vector<XmlElement>& path, absl::string_view text,
                  bool truncated) {
    const XmlElement& element = path.back();
    const size_t relative = path.size() - lap_depth_;
    const XmlElement& parent = At(path, path.size() - 1);
    if (relative == 1) {
      if (Core(element, "TotalTimeSeconds")) {
        lap_.total_time.Set(text, truncated, 0);
      } else if (Core(element, "DistanceMeters")) {
        lap_.distance.Set(text, truncated, 0);
      } else if (Core(element, "MaximumSpeed")) {
        lap_.max_speed.Set(text, truncated, 0);
      } else if (Core(element, "Calories")) {
        lap_.calories.Set(text, truncated, 0);
      } else if (Core(element, "Cadence")) {
        lap_.cadence.Set(text, truncated, 0);
      } else if (Core(element, "AverageHeartRateBpm") &&
                 !absl::StripAsciiWhitespace(text).empty()) {
        lap_.average_hr.Set(text, truncated, 0);
      } else if (Core(element, "MaximumHeartRateBpm") &&
                 !absl::StripAsciiWhitespace(text).empty()) {
        lap_.max_hr.Set(text, truncated, 0);
      }
    } else if (relative == 2 && Core(element, "Value")) {
      if (Core(parent, "AverageHeartRateBpm")) {
        lap_.average_hr.Set(text, truncated, 1);
      } else if (Core(parent, "MaximumHeartRateBpm")) {
        lap_.max_hr.Set(text, truncated, 1);
      }
    } else if (relative == 3 && Ext(parent, "LX") &&
               Core(At(path, lap_depth_ + 1), "Extensions")) {
      if (Ext(element, "AvgSpeed")) {
        lap_.average_speed.Set(text, truncated, 0);
      } else if (Ext(element, "AvgRunCadence")) {
        lap_.average_run_cadence.Set(text, truncated, 0);
      } else if (Ext(element, "MaxRunCadence")) {
        lap_.max_run_cadence.Set(text, truncated, 0);
      } else if (Ext(element, "AvgWatts")) {
        lap_.average_power.Set(text, truncated, 0);
      } else if (Ext(element, "MaxWatts")) {
        lap_.max_power.Set(text, truncated, 0);
      }
    }
  }

  ActivityBuilder& builder_;
  size_t activity_depth_ = 0;  // depth of the open element, 0 when none
  size_t lap_depth_ = 0;
  size_t point_depth_ = 0;
  size_t activities_ = 0;
  size_t laps_ = 0;
  bool mixed_sports_ = false;
  std::string sport_;
  bool cycling_ = false;
  RawLap lap_;
  RawPoint point_;
};

// Which trackpoint field a GPX extension element feeds, and how strongly.
enum class GpxField {
  kHeartRate,
  kCadence,
  kTemperature,
  kSpeed,
  kPower,
  kDistance
};

struct GpxExtensionRule {
  absl::string_view local_name;
  GpxField field;
  // Namespace URI; "" stands for the root's namespace or none.
  absl::string_view ns;
  int priority;
};

constexpr GpxExtensionRule kGpxExtensionRules[] = {
    {"hr", GpxField::kHeartRate, kTrackPointExtensionV1Ns, 3},
    {"hr", GpxField::kHeartRate, kTrackPointExtensionV2Ns, 3},
    {"hr", GpxField::kHeartRate, kClueTrustGpxDataNs, 2},
    {"hr", GpxField::kHeartRate, "", 1},
    {"heartrate", GpxField::kHeartRate, "", 1},
    {"cad", GpxField::kCadence, kTrackPointExtensionV1Ns, 3},
    {"cad", GpxField::kCadence, kTrackPointExtensionV2Ns, 3},
    {"cad", GpxField::kCadence, "", 1},
    {"cadence", GpxField::kCadence, kClueTrustGpxDataNs, 2},
    {"cadence", GpxField::kCadence, "", 1},
    {"atemp", GpxField::kTemperature, kTrackPointExtensionV1Ns, 3},
    {"atemp", GpxField::kTemperature, kTrackPointExtensionV2Ns, 3},
    {"atemp", GpxField::kTemperature, "", 1},
    {"Temperature", GpxField::kTemperature, kGpxExtensionsV3Ns, 2},
    {"temp", GpxField::kTemperature, kClueTrustGpxDataNs, 2},
    {"speed", GpxField::kSpeed, kTrackPointExtensionV2Ns, 3},
    {"speed", GpxField::kSpeed, kClueTrustGpxDataNs, 2},
    {"speed", GpxField::kSpeed, "", 1},
    {"PowerInWatts", GpxField::kPower, kPowerExtensionV1Ns, 3},
    {"PowerInWatts", GpxField::kPower, "", 1},
    {"power", GpxField::kPower, "", 1},
    {"distance", GpxField::kDistance, kClueTrustGpxDataNs, 2},
    {"distance", GpxField::kDistance, "", 1},
};

// GPX 1.0/1.1: gpx/trk/trkseg/trkpt with its extensions.
class GpxVisitor : public VisitorBase {
 public:
  explicit GpxVisitor(ActivityBuilder& builder) : builder_(builder) {}

  absl::Status OnStart(const std::vector<XmlElement>& path,
                       const XmlAttributes& attributes) override {
    const XmlElement& element = path.back();
    const size_t depth = path.size();
    if (depth == 1) {
      if (element.local_name != "gpx") return WrongRoot(element, "gpx");
      root_ns_ = element.namespace_uri;
      if (!root_ns_.empty() && root_ns_ != kGpx11Ns && root_ns_ != kGpx10Ns) {
        builder_.warnings().AddSummary(
            "root element in an unknown namespace: read as GPX 1.1");
      }
      builder_.activity().creator = std::string(
          absl::StripAsciiWhitespace(attributes.Get("creator").value_or("")));
      return absl::OkStatus();
    }
    if (depth == 2 && Core(element, "trk")) {
      in_track_ = true;
      cycling_ = false;
    } else if (in_track_ && point_depth_ == 0 && depth == 4 &&
               Core(element, "trkpt") && Core(At(path, 3), "trkseg")) {
      absl::StatusOr<size_t> index = builder_.NextPointIndex();
      if (!index.ok()) return index.status();
      point_depth_ = depth;
      point_ = RawPoint();
      point_.index = *index;
      if (std::optional<std::string> lat = attributes.Get("lat")) {
        point_.latitude.Set(*lat, false, 0);
      }
      if (std::optional<std::string> lon = attributes.Get("lon")) {
        point_.longitude.Set(*lon, false, 0);
      }
    }
    return absl::OkStatus();
  }

  absl::Status OnEnd(const std::vector<XmlElement>& path,
                     absl::string_view text, bool truncated) override {
    const XmlElement& element = path.back();
    const size_t depth = path.size();
    if (point_depth_ != 0) {
      if (depth == point_depth_) {
        if (!point_.latitude.present() && !point_.longitude.present()) {
          builder_.warnings().Add(
              absl::StrCat("trackpoint ", point_.index, " has no lat/lon"));
        }
        builder_.FinishPoint(point_, cycling_);
        point_depth_ = 0;
      } else if (depth == point_depth_ + 1) {
        if (Core(element, "time")) {
          point_.time.Set(text, truncated, 0);
        } else if (Core(element, "ele")) {
          point_.altitude.Set(text, truncated, 0);
        } else if (Core(element, "speed")) {  // GPX 1.0
          point_.speed.Set(text, truncated, 2);
        }
      } else if (Core(At(path, point_depth_ + 1), "extensions")) {
        OnExtension(element, text, truncated);
      }
    } else if (depth == 2 && Core(element, "trk")) {
      in_track_ = false;
    } else if (in_track_ && depth == 3 && Core(element, "type")) {
      const std::string type(absl::StripAsciiWhitespace(text));
      cycling_ = IsCyclingSport(type);
      if (builder_.activity().sport.empty() && !truncated) {
        builder_.activity().sport = type;
      }
    } else if (!builder_.activity().id_time_ms.has_value() &&
               Core(element, "time") &&
               (depth == 2 || (depth == 3 && Core(At(path, 2), "metadata")))) {
      RawText raw;
      raw.Set(text, truncated, 0);
      builder_.activity().id_time_ms = builder_.Time(raw);
    }
    return absl::OkStatus();
  }

 private:
  void OnExtension(const XmlElement& element, absl::string_view text,
                   bool truncated) {
    for (const GpxExtensionRule& rule : kGpxExtensionRules) {
      if (element.local_name != rule.local_name) continue;
      const bool ns_matches = rule.ns.empty()
                                  ? Core(element, rule.local_name)
                                  : element.namespace_uri == rule.ns;
      if (!ns_matches) continue;
      switch (rule.field) {
        case GpxField::kHeartRate:
          point_.heart_rate.Set(text, truncated, rule.priority);
          break;
        case GpxField::kCadence:
          point_.cadence.Set(text, truncated, rule.priority);
          break;
        case GpxField::kTemperature:
          point_.temperature.Set(text, truncated, rule.priority);
          break;
        case GpxField::kSpeed:
          point_.speed.Set(text, truncated, rule.priority);
          break;
        case GpxField::kPower:
          point_.power.Set(text, truncated, rule.priority);
          break;
        case GpxField::kDistance:
          point_.distance.Set(text, truncated, rule.priority);
          break;
      }
      return;
    }
  }

  ActivityBuilder& builder_;
  bool in_track_ = false;
  bool cycling_ = false;
  size_t point_depth_ = 0;
  RawPoint point_;
};

// Stops at the root element and remembers which format it names.
class RootSniffer : public XmlVisitor {
 public:
  absl::Status OnStart(const std::vector<XmlElement>& path,
                       const XmlAttributes&) override {
    const std::string& name = path.back().local_name;
    if (name == "TrainingCenterDatabase") format_ = "tcx";
    if (name == "gpx") format_ = "gpx";
    done_ = true;
    return absl::OkStatus();
  }
  absl::Status OnEnd(const std::vector<XmlElement>&, absl::string_view,
                     bool) override {
    return absl::OkStatus();
  }
  bool Done() const override { return done_; }
  const std::string& format() const { return format_; }

 private:
  std::string format_;
  bool done_ = false;
};

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30,
                                  31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// One past the '>' closing the first tag that looks like a start tag ('<'
// then a name character), skipping quoted attribute values; npos if none.
// Only a hint: the walk that follows decides whether it really is one.
size_t EndOfFirstStartTag(absl::string_view bytes) {
  size_t open = 0;
  while ((open = bytes.find('<', open)) != absl::string_view::npos) {
    if (open + 1 < bytes.size() &&
        (absl::ascii_isalpha(bytes[open + 1]) || bytes[open + 1] == '_')) {
      break;
    }
    ++open;
  }
  if (open == absl::string_view::npos) return open;
  char quote = 0;
  for (size_t i = open + 1; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '>') {
      return i + 1;
    }
  }
  return absl::string_view::npos;
}

}  // namespace

std::optional<int64_t> ParseDateTimeMs(absl::string_view text,
                                       bool* had_offset) {
  text = absl::StripAsciiWhitespace(text);
  size_t i = 0;
  auto number = [&](int width, int* out) {
    if (i + width > text.size()) return false;
    int value = 0;
    for (int k = 0; k < width; ++k) {
      const char c = text[i + k];
      if (!absl::ascii_isdigit(c)) return false;
      value = value * 10 + (c - '0');
    }
    i += width;
    *out = value;
    return true;
  };
  auto literal = [&](char c) {
    if (i < text.size() && text[i] == c) {
      ++i;
      return true;
    }
    return false;
  };
  int year, month, day, hour, minute, second;
  if (!number(4, &year) || !literal('-') || !number(2, &month) ||
      !literal('-') || !number(2, &day)) {
    return std::nullopt;
  }
  if (!literal('T') && !literal('t') && !literal(' ')) return std::nullopt;
  if (!number(2, &hour) || !literal(':') || !number(2, &minute) ||
      !literal(':') || !number(2, &second)) {
    return std::nullopt;
  }
  int64_t fraction_ns = 0;
  if (literal('.') || literal(',')) {
    int digits = 0;
    while (i < text.size() && absl::ascii_isdigit(text[i])) {
      if (digits < 9) fraction_ns = fraction_ns * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (int k = digits; k < 9; ++k) fraction_ns *= 10;
  }
  int offset_s = 0;
  bool offset = false;
  if (literal('Z') || literal('z')) {
    offset = true;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    const int sign = text[i] == '-' ? -1 : 1;
    ++i;
    int offset_hours = 0, offset_minutes = 0;
    if (!number(2, &offset_hours)) return std::nullopt;
    if (literal(':')) {
      if (!number(2, &offset_minutes)) return std::nullopt;
    } else if (i < text.size() && !number(2, &offset_minutes)) {
      return std::nullopt;
    }
    if (offset_hours > 23 || offset_minutes > 59) return std::nullopt;
    offset_s = sign * (offset_hours * 3600 + offset_minutes * 60);
    offset = true;
  }
  if (i != text.size()) return std::nullopt;
  if (year < 1970 || year >= 2100 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month) || hour > 23 || minute > 59 ||
      second > 60) {
    return std::nullopt;
  }
  // A leap second (":60") normalises to the next minute's ":00".
  const absl::Time whole =
      absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                      absl::UTCTimeZone());
  if (had_offset != nullptr) *had_offset = offset;
  return absl::ToUnixMillis(whole) - int64_t{offset_s} * 1000 +
         (fraction_ns + 500000) / 1000000;
}

absl::StatusOr<Activity> ParseTcx(absl::string_view xml,
                                  const ParseOptions& options) {
  if (absl::Status status = CheckSize(xml, options); !status.ok())
    return status;
  ActivityBuilder builder("tcx", options);
  TcxVisitor visitor(builder);
  WalkNotes notes;
  if (absl::Status status = WalkXml(xml, visitor, &notes); !status.ok()) {
    return status;
  }
  return std::move(builder).Finish(notes);
}

absl::StatusOr<Activity> ParseGpx(absl::string_view xml,
                                  const ParseOptions& options) {
  if (absl::Status status = CheckSize(xml, options); !status.ok())
    return status;
  ActivityBuilder builder("gpx", options);
  GpxVisitor visitor(builder);
  WalkNotes notes;
  if (absl::Status status = WalkXml(xml, visitor, &notes); !status.ok()) {
    return status;
  }
  return std::move(builder).Finish(notes);
}

std::string DetectFormat(absl::string_view bytes) {
  RootSniffer sniffer;
  WalkNotes notes;
  if (WalkXml(bytes, sniffer, &notes).ok() || sniffer.Done()) {
    return sniffer.format();
  }
  // libxml2 reads ahead, so an error soon after the root start tag hides the
  // tag; walk again over the bytes up to the end of the first start tag.
  const size_t cut = EndOfFirstStartTag(bytes);
  if (cut == absl::string_view::npos) return "";
  RootSniffer retry;
  (void)WalkXml(bytes.substr(0, cut), retry, &notes);
  return retry.format();
}

}  // namespace gaitkeeper::ingestion::activity_xml
