// cosim_bridge: the array side of a co-simulation lane, between the Verilated encoder's output
// and the decoder's input (the RTL side is the lane's adapter in cosim_top.cpp):
//
//   push(): the cells of one weight -> batch (weights within one parallel group of the array;
//           the last weight may straddle into the next group) -> program-then-read (one TLM
//           write burst, one TLM read burst) -> FIFO of read-back weights -> head()/pop()
//
// One bridge serves every lane (segments run one after the other) and owns the initiator
// socket. It works on cell codes (one uint16 per cell), so it knows nothing of the Verilated
// port types. Loosely timed: each transaction is issued at max(now, array free) and the
// annotated delay is kept as the array's own time; the RTL clock never stalls on it.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

#include "systemc/pcm_array.hpp"

namespace anvil::cosim {

class ArrayBridge : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<ArrayBridge> mem;

  // `on_error` gets the message of a TLM error response (the simulation is then stopped).
  ArrayBridge(sc_core::sc_module_name name, const PcmArrayStorage& storage,
              std::function<void(std::string)> on_error);

  // A segment of `weights` weights of `cpw` cells each, weight i at base_cell + i * cpw.
  void begin(uint64_t base_cell, size_t weights, uint32_t cpw);
  // Programs and reads back a run of cells, one burst pair per parallel group (reference cells).
  bool store_run(uint64_t first, std::span<const uint16_t> dac, std::span<uint16_t> adc);

  // Encoder side. The cells of the next weight are written to next_weight(), then push() takes
  // it (and stores the batch when complete); false on a TLM error.
  uint16_t* next_weight() { return dac_.data() + size_t{batch_n_} * cpw_; }
  bool push();
  // Room for one more weight after the weight pushed this cycle (the registered ready).
  bool has_room() const { return fifo_size_ + batch_n_ + 1 < fifo_weights_; }
  bool all_taken() const { return taken_ == weights_; }

  // Decoder side: the FIFO of read-back weights (cpw ADC codes each).
  bool empty() const { return fifo_size_ == 0; }
  std::span<const uint16_t> head() const {
    return {fifo_.data() + fifo_head_ * cpw_, size_t{cpw_}};
  }
  void pop();
  // Weights popped so far in this segment (identifies the head).
  uint64_t popped() const { return popped_; }

  // Simulated time at which the array finished its last operation.
  sc_core::sc_time array_time() const { return array_free_; }

 private:
  // The one program-then-read step: a write burst (DAC codes) and a read burst (ADC codes) of
  // cells [first, first + dac.size()).
  bool program_and_read(uint64_t first, std::span<const uint16_t> dac, std::span<uint16_t> adc);
  bool run(tlm::tlm_command cmd, uint64_t first, size_t cells, unsigned char* data,
           sc_core::sc_time& delay);

  const PcmArrayStorage& storage_;
  std::function<void(std::string)> on_error_;
  uint64_t base_cell_ = 0;
  size_t weights_ = 0, taken_ = 0;
  uint32_t cpw_ = 1, max_batch_ = 1, batch_n_ = 0;
  std::vector<uint16_t> dac_, adc_;  // the batch
  std::vector<uint16_t> fifo_;       // ring of fifo_weights_ weights, cpw_ codes each
  size_t fifo_weights_ = 1, fifo_head_ = 0, fifo_size_ = 0;
  uint64_t popped_ = 0;
  tlm::tlm_generic_payload tx_;
  sc_core::sc_time array_free_ = sc_core::SC_ZERO_TIME;
};

}  // namespace anvil::cosim
