from . import test_approval_chain
