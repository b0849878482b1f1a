// The tuition command-line program.
print("tuition")
