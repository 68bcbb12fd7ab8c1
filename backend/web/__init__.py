"""The public web pages: the phone's checkout, the e-receipts and the account holders' app."""
