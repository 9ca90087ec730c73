accounts | while IFS=: read -r user home; do
  for f in .aws/credentials .aws/config .aliyun/config.json .git-credentials .netrc \
    .docker/config.json .config/gcloud/credentials.db .config/gcloud/access_tokens.db \
    .config/gcloud/application_default_credentials.json .config/gcloud/legacy_credentials; do
    p=$home/$f
    if [ -d "$p" ] && [ ! -L "$p" ]; then
      find "$p" -type f -exec shred -u -z -n 1 -- {} + 2>/dev/null || true
      rm -rf -- "$p"
      did "removed $p"
    elif [ -e "$p" ] || [ -L "$p" ]; then
      remove_file "$p"
      did "removed $p"
    fi
  done
done
