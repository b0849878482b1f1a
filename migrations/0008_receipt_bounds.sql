-- Receipts and payment applications hold amounts of money: within the ledger's ±10^15 đồng like
-- every posting, so a receipt always reads back as money.
ALTER TABLE receipts ADD CONSTRAINT receipts_amount_bounded CHECK (amount <= 1000000000000000);
ALTER TABLE payment_applications ADD CONSTRAINT payment_applications_amount_bounded CHECK (amount <= 1000000000000000);
