"""The delete-one-block jackknife: one layer above counting and estimators.

* :mod:`.walk` — what leaving one block out takes from a lag's joint sum of cell terms, walking
  only the cells the block touches;
* :mod:`.leave_out` — the leave-out MI of each block from those sums and the margins;
* :mod:`.one_pass` — for large alphabets, the total and every block's changes counted in one
  walk over symbol-grouped positions (equal to counting each block and leaving it out).
"""

from .leave_out import leave_out_from_sums, leave_out_mutual_information, leave_out_stderr
from .one_pass import SparseJackknife, count_sparse_jackknife
from .walk import leave_out_joint

__all__ = ["SparseJackknife", "count_sparse_jackknife", "leave_out_from_sums", "leave_out_joint",
           "leave_out_mutual_information", "leave_out_stderr"]
