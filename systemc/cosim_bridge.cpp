#include "systemc/cosim_bridge.hpp"

#include <algorithm>
#include <utility>

namespace anvil::cosim {

ArrayBridge::ArrayBridge(sc_core::sc_module_name name, const PcmArrayStorage& storage,
                         std::function<void(std::string)> on_error)
    : sc_module(name), mem("mem"), storage_(storage), on_error_(std::move(on_error)) {
  tx_.set_byte_enable_ptr(nullptr);
  tx_.set_byte_enable_length(0);
}

void ArrayBridge::begin(uint64_t base_cell, size_t weights, uint32_t cpw) {
  base_cell_ = base_cell;
  weights_ = weights;
  cpw_ = cpw;
  // A batch fills one parallel group of the array (the last weight may straddle into the
  // next group); the FIFO to the decoder holds two batches.
  max_batch_ = std::max<uint32_t>(1, storage_.config().parallel_columns / cpw_ + 1);
  dac_.assign(size_t{max_batch_} * cpw_, 0);
  adc_.assign(size_t{max_batch_} * cpw_, 0);
  fifo_weights_ = 2 * size_t{max_batch_} + 2;
  fifo_.assign(fifo_weights_ * cpw_, 0);
  fifo_head_ = fifo_size_ = 0;
  taken_ = 0;
  batch_n_ = 0;
  popped_ = 0;
}

bool ArrayBridge::store_run(uint64_t first, std::span<const uint16_t> dac,
                            std::span<uint16_t> adc) {
  for (size_t i = 0; i < dac.size();) {
    const uint64_t c = first + i;
    const size_t n =
        static_cast<size_t>(std::min<uint64_t>(dac.size() - i, storage_.group_end(c) - c));
    if (!program_and_read(c, dac.subspan(i, n), adc.subspan(i, n))) return false;
    i += n;
  }
  return true;
}

bool ArrayBridge::push() {
  ++batch_n_;
  ++taken_;
  const uint64_t first = base_cell_ + (taken_ - batch_n_) * cpw_;
  const uint64_t end = base_cell_ + taken_ * cpw_;
  // Complete when full, at the segment's end, or when the next weight starts a new group.
  if (batch_n_ < max_batch_ && taken_ < weights_ && end < storage_.group_end(first)) return true;
  const size_t cells = size_t{batch_n_} * cpw_;
  if (!program_and_read(first, std::span<const uint16_t>(dac_.data(), cells),
                        std::span<uint16_t>(adc_.data(), cells)))
    return false;
  for (uint32_t w = 0; w < batch_n_; ++w) {
    const size_t slot = (fifo_head_ + fifo_size_) % fifo_weights_;
    std::copy_n(adc_.data() + size_t{w} * cpw_, cpw_, fifo_.data() + slot * cpw_);
    ++fifo_size_;
  }
  batch_n_ = 0;
  return true;
}

void ArrayBridge::pop() {
  fifo_head_ = (fifo_head_ + 1) % fifo_weights_;
  --fifo_size_;
  ++popped_;
}

bool ArrayBridge::run(tlm::tlm_command cmd, uint64_t first, size_t cells, unsigned char* data,
                      sc_core::sc_time& delay) {
  const auto bytes = static_cast<unsigned>(cells * pcm_array::kBytesPerCell);
  tx_.set_command(cmd);
  tx_.set_address(first * pcm_array::kBytesPerCell);
  tx_.set_data_ptr(data);
  tx_.set_data_length(bytes);
  tx_.set_streaming_width(bytes);
  tx_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  mem->b_transport(tx_, delay);
  if (tx_.is_response_ok()) return true;
  on_error_("TLM " + std::string(cmd == tlm::TLM_WRITE_COMMAND ? "write" : "read") + " of cells " +
            std::to_string(first) + ".." + std::to_string(first + cells - 1) + " answered " +
            tx_.get_response_string());
  return false;
}

bool ArrayBridge::program_and_read(uint64_t first, std::span<const uint16_t> dac,
                                   std::span<uint16_t> adc) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  sc_core::sc_time delay = array_free_ > now ? array_free_ - now : sc_core::SC_ZERO_TIME;
  // The target only reads the data of a write.
  if (!run(tlm::TLM_WRITE_COMMAND, first, dac.size(),
           reinterpret_cast<unsigned char*>(const_cast<uint16_t*>(dac.data())), delay) ||
      !run(tlm::TLM_READ_COMMAND, first, adc.size(), reinterpret_cast<unsigned char*>(adc.data()),
           delay))
    return false;
  array_free_ = now + delay;
  return true;
}

}  // namespace anvil::cosim
