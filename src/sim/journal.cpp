#include "journal.hpp"

#include <stdexcept>

#include "irra/fix/tags.hpp"

namespace irra::sim {
namespace {

constexpr std::size_t flush_threshold = 1 << 20;

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  for (const char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || u >= 0x7f) {
      // Bytes from the wire are not trusted to be UTF-8: escape everything unusual.
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 0xf];
    } else {
      out += c;
    }
  }
}

}  // namespace

journal::journal(const std::filesystem::path& file) {
  file_ = std::fopen(file.c_str(), "a");
  if (!file_) throw std::runtime_error("cannot open journal " + file.string());
  buf_.reserve(2 * flush_threshold);
}

journal::~journal() {
  flush();
  if (file_) std::fclose(file_);
}

void journal::flush() {
  if (!file_ || buf_.empty()) return;
  std::fwrite(buf_.data(), 1, buf_.size(), file_);
  std::fflush(file_);
  buf_.clear();
}

void journal::string_field(std::string_view key, std::string_view value) {
  buf_ += ",\"";
  buf_ += key;
  buf_ += "\":\"";
  append_escaped(buf_, value);
  buf_ += '"';
}

void journal::int_field(std::string_view key, std::int64_t value) {
  buf_ += ",\"";
  buf_ += key;
  buf_ += "\":";
  buf_ += std::to_string(value);
}

void journal::begin_line(std::string_view dir, session_kind k, std::uint64_t seq,
                         std::string_view type) {
  buf_ += "{\"dir\":\"";
  buf_ += dir;
  buf_ += "\",\"session\":\"";
  buf_ += short_name(k);
  buf_ += "\",\"seq\":";
  buf_ += std::to_string(seq);
  string_field("msg_type", type);
}

void journal::end_line() {
  buf_ += "}\n";
  if (buf_.size() >= flush_threshold) flush();
}

void journal::sent_report(session_kind k, std::uint64_t seq, const fix::execution_report& r,
                          std::string_view origin, std::string_view kind) {
  begin_line("sent", k, seq, "8");
  string_field("kind", kind);
  string_field("origin", origin);
  string_field("exec_id", r.exec_id);
  string_field("order_id", r.order_id);
  string_field("cl_ord_id", r.cl_ord_id);
  if (!r.orig_cl_ord_id.empty()) string_field("orig_cl_ord_id", r.orig_cl_ord_id);
  string_field("account", r.account);
  std::string instrument;
  instrument.append(r.security_exchange).append(1, ':').append(r.symbol);
  string_field("instrument", instrument);
  string_field("product", r.product);
  string_field("side", std::string_view(&r.side, 1));
  string_field("exec_type", std::string_view(&r.exec_type, 1));
  string_field("ord_status", std::string_view(&r.ord_status, 1));
  int_field("qty", r.order_qty);
  if (r.ord_type) string_field("ord_type", std::string_view(&r.ord_type, 1));
  if (r.price) int_field("price_paise", *r.price);
  int_field("last_qty", r.last_qty.value_or(0));
  if (r.last_px) int_field("last_px_paise", *r.last_px);
  int_field("cum_qty", r.cum_qty);
  int_field("leaves_qty", r.leaves_qty);
  int_field("avg_px_paise", r.avg_px);
  if (!r.text.empty()) string_field("text", r.text);
  if (r.ord_rej_reason) int_field("ord_rej_reason", *r.ord_rej_reason);
  end_line();
}

void journal::sent_cancel_reject(session_kind k, std::uint64_t seq,
                                 const fix::order_cancel_reject& r) {
  begin_line("sent", k, seq, "9");
  string_field("order_id", r.order_id);
  string_field("cl_ord_id", r.cl_ord_id);
  string_field("orig_cl_ord_id", r.orig_cl_ord_id);
  string_field("ord_status", std::string_view(&r.ord_status, 1));
  int_field("cxl_rej_reason", r.cxl_rej_reason.value_or(0));
  string_field("text", r.text);
  end_line();
}

void journal::sent_market_data(session_kind k, std::uint64_t seq, std::string_view msg_type,
                               std::string_view md_req_id, std::string_view instrument,
                               std::int64_t price, std::string_view text) {
  begin_line("sent", k, seq, msg_type);
  string_field("md_req_id", md_req_id);
  if (!instrument.empty()) string_field("instrument", instrument);
  if (msg_type == "W") int_field("last_px_paise", price);
  if (!text.empty()) string_field("text", text);
  end_line();
}

void journal::received(session_kind k, std::uint64_t seq, const fix::message& m,
                       std::string_view note) {
  begin_line("received", k, seq, m.msg_type());
  if (!note.empty()) string_field("note", note);
  buf_ += ",\"fields\":[";
  bool first = true;
  for (const fix::field& f : m.fields()) {
    if (f.tag == fix::tag::begin_string || f.tag == fix::tag::body_length ||
        f.tag == fix::tag::check_sum || f.tag == fix::tag::msg_type) {
      continue;
    }
    if (!first) buf_ += ',';
    first = false;
    buf_ += '[';
    buf_ += std::to_string(f.tag);
    buf_ += ",\"";
    append_escaped(buf_, f.value);
    buf_ += "\"]";
  }
  buf_ += ']';
  end_line();
}

}  // namespace irra::sim
