#include "pcm_array.hpp"

#include <cstring>

namespace anvil::cosim {

pcm_array::pcm_array(sc_core::sc_module_name name, const core::Cell& cell,
                     const core::RandomStream& noise, PcmArrayConfig cfg)
    : sc_module(name), socket("socket"), storage_(cell, noise, std::move(cfg)) {
  socket.register_b_transport(this, &pcm_array::b_transport);
  socket.register_transport_dbg(this, &pcm_array::transport_dbg);
}

bool pcm_array::check(tlm::tlm_generic_payload& tx, uint64_t* first, uint64_t* count) const {
  const uint64_t addr = tx.get_address();
  const unsigned len = tx.get_data_length();
  if (tx.get_byte_enable_ptr() != nullptr && tx.get_byte_enable_length() != 0) {
    tx.set_response_status(tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    return false;
  }
  if (tx.get_streaming_width() != len) {
    tx.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return false;
  }
  if (addr % kBytesPerCell != 0 || len % kBytesPerCell != 0 || tx.get_data_ptr() == nullptr) {
    tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  *first = addr / kBytesPerCell;
  *count = len / kBytesPerCell;
  if (!storage_.in_range(*first, *count)) {
    tx.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return false;
  }
  return true;
}

void pcm_array::b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay) {
  const tlm::tlm_command cmd = tx.get_command();
  if (cmd != tlm::TLM_READ_COMMAND && cmd != tlm::TLM_WRITE_COMMAND) {
    tx.set_response_status(tlm::TLM_COMMAND_ERROR_RESPONSE);
    ++errors_;
    return;
  }
  uint64_t first = 0, count = 0;
  if (!check(tx, &first, &count)) {
    ++errors_;
    return;
  }
  // The transaction happens at the initiator's local time.
  const double now_s = (sc_core::sc_time_stamp() + delay).to_seconds();
  buf_.resize(count);
  double latency_ns = 0.0;
  PcmArrayStatus st;
  if (cmd == tlm::TLM_WRITE_COMMAND) {
    std::memcpy(buf_.data(), tx.get_data_ptr(), count * kBytesPerCell);
    st = storage_.program(first, buf_, now_s, &latency_ns);
  } else {
    st = storage_.read(first, buf_, now_s, &latency_ns);
    if (st == PcmArrayStatus::kOk)
      std::memcpy(tx.get_data_ptr(), buf_.data(), count * kBytesPerCell);
  }
  if (st != PcmArrayStatus::kOk) {
    tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    ++errors_;
    return;
  }
  delay += sc_core::sc_time(latency_ns, sc_core::SC_NS);
  tx.set_dmi_allowed(false);
  tx.set_response_status(tlm::TLM_OK_RESPONSE);
}

unsigned int pcm_array::transport_dbg(tlm::tlm_generic_payload& tx) {
  if (tx.get_command() != tlm::TLM_READ_COMMAND) return 0;
  uint64_t first = 0, count = 0;
  if (!check(tx, &first, &count)) return 0;
  std::vector<uint16_t> adc(count);
  if (storage_.peek(first, adc, sc_core::sc_time_stamp().to_seconds()) != PcmArrayStatus::kOk) {
    tx.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
    return 0;
  }
  std::memcpy(tx.get_data_ptr(), adc.data(), count * kBytesPerCell);
  tx.set_response_status(tlm::TLM_OK_RESPONSE);
  return static_cast<unsigned int>(count * kBytesPerCell);
}

}  // namespace anvil::cosim
