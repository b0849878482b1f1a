/// The rule crediting absent days to per-day items (meals, after-hours care), pure.
///
/// Per-day items are billed in advance for the school days of the month. Absent days of a month that was
/// billed are credited on the next invoices of that item: the line bills `planned − credited` days, where
/// `credited = min(outstanding, planned − 1)`. At least one day is billed so the line (and its entry) exists;
/// what is not credited stays outstanding for the next invoice, so no absent day is lost or credited twice.
public enum PerDayCredit {
    public static func credit(outstanding: Int, planned: Int) -> Int {
        precondition(outstanding >= 0 && planned >= 1)
        return min(outstanding, planned - 1)
    }
}
