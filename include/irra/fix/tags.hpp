#pragma once
// FIX 4.4 tag numbers, message types and reject codes used by IRRA's dialect
// (docs/fix.md, interfaces.md section 5). Plain constants: no behaviour here.

#include <cstdint>
#include <string_view>

namespace irra::fix {

inline constexpr char soh = '\x01';

namespace tag {
// standard header and trailer
inline constexpr int begin_string = 8;
inline constexpr int body_length = 9;
inline constexpr int msg_type = 35;
inline constexpr int sender_comp_id = 49;
inline constexpr int target_comp_id = 56;
inline constexpr int msg_seq_num = 34;
inline constexpr int sending_time = 52;
inline constexpr int poss_dup_flag = 43;
inline constexpr int poss_resend = 97;
inline constexpr int orig_sending_time = 122;
inline constexpr int check_sum = 10;
// session level
inline constexpr int begin_seq_no = 7;
inline constexpr int end_seq_no = 16;
inline constexpr int new_seq_no = 36;
inline constexpr int ref_seq_num = 45;
inline constexpr int text = 58;
inline constexpr int encrypt_method = 98;
inline constexpr int heart_bt_int = 108;
inline constexpr int test_req_id = 112;
inline constexpr int gap_fill_flag = 123;
inline constexpr int reset_seq_num_flag = 141;
inline constexpr int ref_tag_id = 371;
inline constexpr int ref_msg_type = 372;
inline constexpr int session_reject_reason = 373;
// orders and executions
inline constexpr int account = 1;
inline constexpr int avg_px = 6;
inline constexpr int cl_ord_id = 11;
inline constexpr int cum_qty = 14;
inline constexpr int exec_id = 17;
inline constexpr int last_px = 31;
inline constexpr int last_qty = 32;
inline constexpr int order_id = 37;
inline constexpr int order_qty = 38;
inline constexpr int ord_status = 39;
inline constexpr int ord_type = 40;
inline constexpr int orig_cl_ord_id = 41;
inline constexpr int price = 44;
inline constexpr int side = 54;
inline constexpr int symbol = 55;
inline constexpr int time_in_force = 59;
inline constexpr int transact_time = 60;
inline constexpr int cxl_rej_reason = 102;
inline constexpr int ord_rej_reason = 103;
inline constexpr int exec_type = 150;
inline constexpr int leaves_qty = 151;
inline constexpr int security_exchange = 207;
inline constexpr int cxl_rej_response_to = 434;
inline constexpr int product = 5001;  // agreed with the exchange: MIS/NRML/CNC/MTF
// market data
inline constexpr int no_related_sym = 146;
inline constexpr int md_req_id = 262;
inline constexpr int subscription_request_type = 263;
inline constexpr int market_depth = 264;
inline constexpr int no_md_entry_types = 267;
inline constexpr int no_md_entries = 268;
inline constexpr int md_entry_type = 269;
inline constexpr int md_entry_px = 270;
inline constexpr int md_req_rej_reason = 281;
}  // namespace tag

namespace msg_type {
inline constexpr std::string_view heartbeat = "0";
inline constexpr std::string_view test_request = "1";
inline constexpr std::string_view resend_request = "2";
inline constexpr std::string_view reject = "3";
inline constexpr std::string_view sequence_reset = "4";
inline constexpr std::string_view logout = "5";
inline constexpr std::string_view logon = "A";
inline constexpr std::string_view execution_report = "8";
inline constexpr std::string_view order_cancel_reject = "9";
inline constexpr std::string_view new_order_single = "D";
inline constexpr std::string_view order_cancel_request = "F";
inline constexpr std::string_view market_data_request = "V";
inline constexpr std::string_view market_data_snapshot = "W";
inline constexpr std::string_view market_data_request_reject = "Y";
}  // namespace msg_type

// True for the seven session-level message types (everything else goes to the application).
constexpr bool is_admin_msg_type(std::string_view t) {
  return t.size() == 1 && (t[0] == '0' || t[0] == '1' || t[0] == '2' || t[0] == '3' ||
                           t[0] == '4' || t[0] == '5' || t[0] == 'A');
}

// SessionRejectReason (373) values from FIX 4.4.
enum class session_reject_reason : std::uint8_t {
  invalid_tag_number = 0,
  required_tag_missing = 1,
  tag_not_defined_for_msg_type = 2,
  undefined_tag = 3,
  tag_without_value = 4,
  value_out_of_range = 5,
  incorrect_data_format = 6,
  comp_id_problem = 9,
  sending_time_accuracy = 10,
  invalid_msg_type = 11,
  tag_appears_more_than_once = 13,
  tag_out_of_order = 14,
  group_fields_out_of_order = 15,
  incorrect_num_in_group = 16,
  other = 99,
};

}  // namespace irra::fix
