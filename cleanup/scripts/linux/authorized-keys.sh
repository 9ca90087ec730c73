authorized_keys_files | while IFS= read -r f; do
  empty_file "$f"
done
