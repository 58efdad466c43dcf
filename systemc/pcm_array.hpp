// pcm_array: the TLM-2.0 target around PcmArrayStorage (loosely timed, blocking transport).
//
// Address map: cell c at byte address c * kBytesPerCell; every cell is one little-endian
// uint16 (host order). A write burst programs consecutive cells with the DAC codes in its data;
// a read burst reads consecutive cells and returns their ADC codes. b_transport adds the
// operation latency to the annotated delay and never calls wait().
//
// Responses (never a crash, never a wrap-around):
//   TLM_ADDRESS_ERROR_RESPONSE      address not cell aligned, first cell or burst beyond the
//                                   array, or a length that is not whole cells
//   TLM_BYTE_ENABLE_ERROR_RESPONSE  byte enables (not supported)
//   TLM_BURST_ERROR_RESPONSE        streaming width != data length (streaming not supported)
//   TLM_COMMAND_ERROR_RESPONSE      TLM_IGNORE_COMMAND or any other command
//   TLM_GENERIC_ERROR_RESPONSE      a DAC code the channel does not have, a read of a cell
//                                   never programmed
// Not supported: DMI (get_direct_mem_ptr returns false), byte enables, streaming.
// transport_dbg: reads return the ADC codes the next read would give, without changing the
// cells or the counters; debug writes are not supported (0 bytes transferred).
#pragma once

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "pcm_array_storage.hpp"

namespace anvil::cosim {

class pcm_array : public sc_core::sc_module {
 public:
  static constexpr unsigned kBytesPerCell = 2;

  tlm_utils::simple_target_socket<pcm_array> socket;

  pcm_array(sc_core::sc_module_name name, const core::Cell& cell, const core::RandomStream& noise,
            PcmArrayConfig cfg = {});

  PcmArrayStorage& storage() { return storage_; }
  const PcmArrayStorage& storage() const { return storage_; }
  const PcmArrayCounters& counters() const { return storage_.counters(); }
  // Transactions answered with an error response.
  uint64_t errors() const { return errors_; }

 private:
  void b_transport(tlm::tlm_generic_payload& tx, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& tx);
  // Checks the address, length, byte enables and streaming width; sets the error response and
  // returns false when the transaction cannot be served.
  bool check(tlm::tlm_generic_payload& tx, uint64_t* first, uint64_t* count) const;

  PcmArrayStorage storage_;
  std::vector<uint16_t> buf_;
  uint64_t errors_ = 0;
};

}  // namespace anvil::cosim
